// pg.h -- the PostgreSQL headers, included as C. Include this first in every
// file of src/extension.
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"
}
