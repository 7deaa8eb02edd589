// Errors to dispatch on: types by SQLSTATE class, the server's fields and
// the statement, and the library's own errors without invented SQLSTATEs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <thread>

#include <pothos/pothos.hpp>

#include "test_client.hpp"

using namespace std::chrono_literals;
using namespace pothos;
using pothos::test::test_config;

namespace {
using pothos::test::unique_name;

template <class E, class F>
E expect_error(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong error type: " << e.what();
        throw;
    }
    ADD_FAILURE() << "no error";
    throw std::logic_error("no error");
}
}  // namespace

TEST(Errors, IntegrityErrorsCarryConstraintTableColumnAndStatement) {
    Client c(test_config());
    const auto t = unique_name("items");
    c.query("CREATE TABLE " + t + " (id int PRIMARY KEY, name text NOT NULL, qty int CHECK (qty > 0))");
    c.query("INSERT INTO " + t + " VALUES (1, 'a', 1)");
    const std::string dup = "INSERT INTO " + t + " VALUES ($1, 'b', 1)";
    auto u = expect_error<UniqueConstraintError>([&] { c.query(dup, params(1)); });
    EXPECT_EQ(u.sqlstate(), "23505");
    EXPECT_EQ(u.constraint(), t + "_pkey");
    EXPECT_EQ(u.table(), t);
    EXPECT_EQ(u.schema(), "public");
    EXPECT_EQ(u.statement(), dup);
    EXPECT_NE(u.detail().find("already exists"), std::string::npos);
    auto n = expect_error<NotNullConstraintError>(
        [&] { c.query("INSERT INTO " + t + " VALUES (2, NULL, 1)"); });
    EXPECT_EQ(n.column(), "name");
    EXPECT_EQ(n.table(), t);
    auto k = expect_error<CheckConstraintError>(
        [&] { c.query("INSERT INTO " + t + " VALUES (3, 'c', 0)"); });
    EXPECT_EQ(k.constraint(), t + "_qty_check");
    // All are IntegrityErrors; a handler for the class catches them.
    EXPECT_THROW(c.query(dup, params(1)), IntegrityError);
    c.query("DROP TABLE " + t);
}

TEST(Errors, TransactionRollbackTypes) {
    Client c(test_config());
    auto raise = [&](const char* state) {
        c.query(std::string("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '") + state + "'; END $$");
    };
    EXPECT_EQ(expect_error<SerializationError>([&] { raise("40001"); }).sqlstate(), "40001");
    EXPECT_EQ(expect_error<DeadlockError>([&] { raise("40P01"); }).sqlstate(), "40P01");
    EXPECT_THROW(raise("40002"), TransactionRollbackError);
    EXPECT_THROW(raise("40001"), TransactionRollbackError);
    try {
        raise("P0001");
        ADD_FAILURE();
    } catch (const TransactionRollbackError&) {
        ADD_FAILURE() << "P0001 is not a rollback";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.sqlstate(), "P0001");
    }
}

TEST(Errors, RealDeadlockIsADeadlockError) {
    Client c(test_config(4));
    const auto t = unique_name("dl");
    c.query("CREATE TABLE " + t + " (k int PRIMARY KEY, v int)");
    c.query("INSERT INTO " + t + " VALUES (1, 0), (2, 0)");
    std::atomic<int> deadlocks{0}, locked{0};
    auto worker = [&](int first, int second) {
        try {
            c.transaction([&](Session& s) {
                s.query("UPDATE " + t + " SET v = v + 1 WHERE k = $1", params(first));
                ++locked;
                while (locked < 2) std::this_thread::sleep_for(1ms);
                s.query("UPDATE " + t + " SET v = v + 1 WHERE k = $1", params(second));
            });
        } catch (const DeadlockError&) {
            ++deadlocks;
        }
    };
    std::thread a(worker, 1, 2), b(worker, 2, 1);
    a.join();
    b.join();
    EXPECT_EQ(deadlocks, 1);
    c.query("DROP TABLE " + t);
}

TEST(Errors, LibraryErrorsHaveTheirOwnTypesAndNoSqlstate) {
    Client c(test_config(1));
    // An unregistered prepared name used to be a DatabaseError with 26000.
    try {
        c.execute("never_prepared");
        FAIL();
    } catch (const DatabaseError&) {
        FAIL() << "a usage error looks like a server error";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("never_prepared"), std::string::npos);
    }
    // A pool timeout used to be a DatabaseError with 08001 and limit()
    // "acquire_timeout (30000 ms)" whatever the timeout.
    Pool pool([] {
        PoolOptions o;
        o.conninfo = test::database_url();
        o.max = 1;
        o.name = "tiny";
        return o;
    }());
    auto held = pool.acquire();
    const auto t0 = std::chrono::steady_clock::now();
    try {
        pool.acquire(Millis(50));
        FAIL();
    } catch (const DatabaseError&) {
        FAIL() << "a pool timeout looks like a server error";
    } catch (const PoolTimeoutError& e) {
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
        EXPECT_EQ(e.limit(), "acquire_timeout");
        EXPECT_EQ(e.timeout(), Millis(50));
        EXPECT_EQ(e.pool(), "tiny");
        EXPECT_NE(std::string(e.what()).find("acquire_timeout (50 ms)"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("30000"), std::string::npos) << e.what();
    }
    // A closing pool used to raise a DatabaseError with 57P01 (admin shutdown).
    auto pool2 = std::make_unique<Pool>(pool.options());
    auto held2 = pool2->acquire();
    std::exception_ptr seen;
    std::thread waiter([&] {
        try {
            pool2->acquire(Millis(10000));
        } catch (...) {
            seen = std::current_exception();
        }
    });
    while (pool2->stats().pending == 0) std::this_thread::sleep_for(1ms);
    pool2.reset();
    waiter.join();
    ASSERT_TRUE(seen);
    EXPECT_THROW(std::rethrow_exception(seen), PoolClosingError);
    try {
        std::rethrow_exception(seen);
    } catch (const DatabaseError&) {
        FAIL() << "closing looks like a server error";
    } catch (const Error&) {
    }
    // Every library error is a pothos::Error.
    EXPECT_THROW(c.execute("never_prepared"), Error);
}

TEST(Errors, ClientDeadlineNamesItsLimit) {
    Client c(test_config(1));
    c.query("SELECT 1");  // the connection exists: the deadline is the statement's alone
    QueryOptions o;
    o.timeout = Millis(150);
    auto e = expect_error<QueryTimeoutError>([&] { c.query("SELECT pg_sleep(5)", {}, o); });
    EXPECT_EQ(e.limit(), "timeout");
    EXPECT_EQ(e.timeout(), Millis(150));
    EXPECT_EQ(e.sqlstate(), "57014");  // the server acknowledged the cancel
    EXPECT_NE(std::string(e.what()).find("timeout (150 ms)"), std::string::npos) << e.what();
    EXPECT_EQ(e.statement(), "SELECT pg_sleep(5)");
}

TEST(Errors, RetryRulesDispatchOnTypes) {
    Client c(test_config(1));
    const auto seq = unique_name("retry_seq"), fn = unique_name("retry_fn");
    c.query("CREATE SEQUENCE " + seq);
    c.query("CREATE FUNCTION " + fn + "() RETURNS text LANGUAGE plpgsql AS $$ BEGIN "
            "IF nextval('" + seq + "') <= 2 THEN "
            "RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END IF; RETURN 'ok'; END $$");
    QueryOptions o;
    o.retries = 3;
    o.retry_delay = Millis(1);
    EXPECT_EQ(c.query("SELECT " + fn + "()", {}, o).get(0, 0), "ok");  // a DeadlockError is retried
    // A usage error is never retried, whatever retry_if says.
    int asked = 0;
    o.retry_if = [&](const Error&, int) { return ++asked, true; };
    EXPECT_THROW(c.execute("never_prepared", {}, o), UsageError);
    EXPECT_EQ(asked, 0);
    c.query("DROP FUNCTION " + fn + "(); DROP SEQUENCE " + seq);
}

// The connection dies while COMMIT runs (a deferred trigger sleeps at commit
// time and the backend is terminated meanwhile): whether it committed is
// unknown, and the error says so by its type.
TEST(Errors, ConnectionLostDuringCommitIsInDoubt) {
    Client c(test_config(2));
    const auto t = unique_name("doubt"), f = unique_name("doubt_fn");
    c.query("CREATE TABLE " + t + " (x int)");
    c.query("CREATE FUNCTION " + f + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM pg_sleep(3); RETURN NULL; END $$");
    c.query("CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON " + t +
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + f + "()");
    std::atomic<int> pid{0};
    std::thread killer([&] {
        while (pid == 0) std::this_thread::sleep_for(5ms);
        for (int i = 0; i < 200; ++i) {  // wait until COMMIT runs the trigger
            auto r = c.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND query = 'COMMIT'",
                             params(pid.load()));
            if (r.get<int>(0, 0) == 1) break;
            std::this_thread::sleep_for(10ms);
        }
        c.query("SELECT pg_terminate_backend($1, 5000)", params(pid.load()));
    });
    try {
        c.transaction([&](Session& s) {
            s.query("INSERT INTO " + t + " VALUES (1)");
            pid = s.query("SELECT pg_backend_pid()").get<int>(0, 0);
        });
        ADD_FAILURE() << "commit survived";
    } catch (const InDoubtError& e) {
        EXPECT_NE(std::string(e.what()).find("COMMIT"), std::string::npos) << e.what();
    }
    killer.join();
    c.query("DROP TABLE " + t + "; DROP FUNCTION " + f + "()");
}
