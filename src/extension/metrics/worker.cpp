// metrics/worker.cpp -- see metrics/worker.h. C-style glue: no C++ object
// with a destructor lives across PostgreSQL calls.
#include "extension/common/pg.h"

extern "C" {
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

PGDLLEXPORT void pothos_perf_metrics_main(Datum arg);
}

#include "extension/metrics/guc.h"
#include "extension/metrics/worker.h"

namespace pothos::ext {

namespace {

constexpr int kMaxRequest = 8192;       // bytes of request line and headers
constexpr int kRequestTimeoutMs = 5000; // to receive the request
constexpr int kWriteTimeoutMs = 10000;  // to send the response

// "9187" -> 127.0.0.1:9187; "host:port"; "[v6]:port".
bool parse_listen(const char* spec, char* host, size_t hostlen, char* port, size_t portlen) {
    const char* colon = strrchr(spec, ':');
    if (colon == NULL) {
        strlcpy(host, "127.0.0.1", hostlen);
        strlcpy(port, spec, portlen);
    } else {
        const char* h = spec;
        size_t n = colon - spec;
        if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
            h++;
            n -= 2;
        }
        if (n == 0 || n >= hostlen) return false;
        memcpy(host, h, n);
        host[n] = '\0';
        strlcpy(port, colon + 1, portlen);
    }
    if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port)) return false;
    long p = strtol(port, NULL, 10);
    return p > 0 && p < 65536;
}

int open_listener(const char* spec) {
    char host[256], port[16];
    if (!parse_listen(spec, host, sizeof host, port, sizeof port))
        ereport(FATAL, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("pothos_perf: invalid pothos_perf.metrics_listen \"%s\"", spec),
                        errhint("Use a port (listens on 127.0.0.1), host:port or [ipv6]:port.")));
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    struct addrinfo* res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0)
        ereport(FATAL, (errmsg("pothos_perf: cannot resolve metrics address \"%s\": %s", host, gai_strerror(rc))));
    int fd = -1;
    int saved = 0;
    for (struct addrinfo* ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        errno = saved;
        ereport(FATAL, (errcode_for_socket_access(),
                        errmsg("pothos_perf: cannot listen for metrics on %s:%s: %m", host, port)));
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    ereport(LOG, (errmsg("pothos_perf: serving metrics on http://%s:%s/metrics", host, port)));
    return fd;
}

int64 now_ms() { return GetCurrentTimestamp() / 1000; }

// Reads the request head (up to the blank line) within the deadline.
// Returns its length, -1 on timeout or error, -2 when too large.
int read_request(int fd, char* buf, int cap) {
    int len = 0;
    int64 deadline = now_ms() + kRequestTimeoutMs;
    for (;;) {
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n")) return len;
        if (len >= cap - 1) return -2;
        int64 left = deadline - now_ms();
        if (left <= 0) return -1;
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, (int) left);
        if (ShutdownRequestPending) return -1;
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) return -1;
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return len > 0 ? len : -1;  // a client that closes after the request line
        len += (int) n;
    }
}

void write_all(int fd, const char* data, size_t len) {
    int64 deadline = now_ms() + kWriteTimeoutMs;
    while (len > 0) {
        int64 left = deadline - now_ms();
        if (left <= 0) return;
        struct pollfd p = {fd, POLLOUT, 0};
        int rc = poll(&p, 1, (int) left);
        if (ShutdownRequestPending) return;
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) return;
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return;
        data += n;
        len -= (size_t) n;
    }
}

void respond(int fd, int status, const char* reason, const char* type, const char* body, bool head_only) {
    size_t blen = body ? strlen(body) : 0;
    char* head = psprintf("HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                          status, reason, type, blen);
    write_all(fd, head, strlen(head));
    if (!head_only && blen) write_all(fd, body, blen);
}

// The metrics text, or NULL with *error set; runs one transaction.
char* collect_metrics(MemoryContext cxt, char** error) {
    char* volatile out = NULL;
    *error = NULL;
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PG_TRY();
    {
        SPI_connect();
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, "SELECT pothos_perf.metrics()");
        int rc = SPI_execute("SELECT pothos_perf.metrics()", true, 1);
        if (rc == SPI_OK_SELECT && SPI_processed == 1) {
            char* v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
            out = MemoryContextStrdup(cxt, v ? v : "");
        }
        SPI_finish();
        PopActiveSnapshot();
        CommitTransactionCommand();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(cxt);
        ErrorData* ed = CopyErrorData();
        FlushErrorState();
        AbortCurrentTransaction();
        *error = psprintf("pothos_perf metrics unavailable: %s\n", ed->message);
        out = NULL;
    }
    PG_END_TRY();
    pgstat_report_activity(STATE_IDLE, NULL);
    return out;
}

void handle_client(int fd, MemoryContext cxt) {
    char* buf = (char*) palloc(kMaxRequest + 1);
    int len = read_request(fd, buf, kMaxRequest + 1);
    if (len == -2) {
        respond(fd, 431, "Request Header Fields Too Large", "text/plain", "request too large\n", false);
        return;
    }
    if (len < 0) return;  // timed out or closed: nothing to answer
    char method[16], path[256];
    if (sscanf(buf, "%15s %255s", method, path) != 2) {
        respond(fd, 400, "Bad Request", "text/plain", "bad request\n", false);
        return;
    }
    bool head = strcmp(method, "HEAD") == 0;
    if (strcmp(method, "GET") != 0 && !head) {
        respond(fd, 405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false);
        return;
    }
    char* q = strchr(path, '?');
    if (q) *q = '\0';
    if (strcmp(path, "/metrics") != 0) {
        respond(fd, 404, "Not Found", "text/plain", "not found; metrics are at /metrics\n", head);
        return;
    }
    char* error = NULL;
    char* body = collect_metrics(cxt, &error);
    if (body == NULL) {
        respond(fd, 503, "Service Unavailable", "text/plain", error ? error : "metrics unavailable\n", head);
        return;
    }
    respond(fd, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body, head);
}

}  // namespace

void metrics_worker_register() {
    if (!metrics_worker_enabled()) return;
    BackgroundWorker w;
    memset(&w, 0, sizeof w);
    w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    // A hot standby serves its metrics too: the worker starts once recovery
    // has reached a consistent state (with hot_standby off, at promotion).
    w.bgw_start_time = BgWorkerStart_ConsistentState;
    w.bgw_restart_time = 10;
    strlcpy(w.bgw_library_name, "pothos_perf", BGW_MAXLEN);
    strlcpy(w.bgw_function_name, "pothos_perf_metrics_main", BGW_MAXLEN);
    strlcpy(w.bgw_name, "pothos_perf metrics endpoint", BGW_MAXLEN);
    strlcpy(w.bgw_type, "pothos_perf metrics", BGW_MAXLEN);
    RegisterBackgroundWorker(&w);
}

}  // namespace pothos::ext

using namespace pothos::ext;

void pothos_perf_metrics_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(metrics_guc_database, NULL, 0);
    pgstat_report_appname("pothos_perf metrics");

    int listener = open_listener(metrics_guc_listen);
    MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "pothos_perf metrics request", ALLOCSET_DEFAULT_SIZES);
    while (!ShutdownRequestPending) {
        int ev = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                                   listener, 10000L, PG_WAIT_EXTENSION);
        if (ev & WL_LATCH_SET) ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        if (ShutdownRequestPending) break;
        if (!(ev & WL_SOCKET_READABLE)) continue;
        int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0) continue;
        MemoryContext old = MemoryContextSwitchTo(cxt);
        handle_client(client, cxt);
        MemoryContextSwitchTo(old);
        MemoryContextReset(cxt);
        close(client);
    }
    close(listener);
    proc_exit(0);
}
