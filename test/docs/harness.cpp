// test/docs/harness.cpp -- runs one ```cpp block of docs/client.md (run by
// test/docs/examples.sh). The block is the body of main(), included below as
// block.inc; a block that is a fragment finds here what the guide's text
// around it describes: `pool`, a pothos::Pool on DATABASE_URL, and `options`,
// default DataLoaderOptions.
#include <pothos/pothos.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

int main() {
    pothos::PoolOptions pool_options;
    pool_options.conninfo = std::getenv("DATABASE_URL") ? std::getenv("DATABASE_URL") : "";
    pothos::Pool pool(pool_options);
    pothos::DataLoaderOptions options;
    (void)pool;
    (void)options;
    {
#include "block.inc"
    }
    return 0;
}
