// Everything of the pothos client library.
#pragma once

#include <pothos/any_loader.hpp>
#include <pothos/batch_scheduler.hpp>
#include <pothos/client.hpp>
#include <pothos/config.hpp>
#include <pothos/connection.hpp>
#include <pothos/dataloader.hpp>
#include <pothos/deadline.hpp>
#include <pothos/errors.hpp>
#include <pothos/insights.hpp>
#include <pothos/metrics.hpp>
#include <pothos/params.hpp>
#include <pothos/pool.hpp>
#include <pothos/pool_observer.hpp>
#include <pothos/reset.hpp>
#include <pothos/result.hpp>
#include <pothos/tagging.hpp>
#include <pothos/value_traits.hpp>
