// Everything of the pothos client library.
#pragma once

#include <pothos/any_loader.hpp>
#include <pothos/client.hpp>
#include <pothos/config.hpp>
#include <pothos/connection.hpp>
#include <pothos/dataloader.hpp>
#include <pothos/errors.hpp>
#include <pothos/metrics.hpp>
#include <pothos/pool.hpp>
#include <pothos/tagging.hpp>
