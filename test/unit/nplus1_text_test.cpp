#include "core/nplus1/text.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

using namespace pothos::core;

namespace {

// Two pages, the second inaccessible: a text placed to end right before it
// shows that the scan reads nothing past the NUL's page. mmap, not the heap,
// so that AddressSanitizer builds see no out-of-object read either.
class GuardedPage {
public:
    GuardedPage() {
        page_ = size_t(sysconf(_SC_PAGESIZE));
        mem_ = static_cast<char*>(mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        EXPECT_NE(mem_, MAP_FAILED);
        EXPECT_EQ(mprotect(mem_ + page_, page_, PROT_NONE), 0);
    }
    ~GuardedPage() { munmap(mem_, 2 * page_); }
    // A copy of s whose NUL is `slack` bytes before the guard page.
    const char* place(const std::string& s, size_t slack = 0) {
        char* p = mem_ + page_ - s.size() - 1 - slack;
        std::memcpy(p, s.c_str(), s.size() + 1);
        return p;
    }
    // A copy of s at offset off from the start of the page.
    const char* at(const std::string& s, size_t off) {
        std::memcpy(mem_ + off, s.c_str(), s.size() + 1);
        return mem_ + off;
    }

private:
    size_t page_ = 0;
    char* mem_ = nullptr;
};

TEST(Nplus1Text, LengthAndSlashOfEveryShortLength) {
    GuardedPage g;
    std::string s;
    for (int n = 0; n < 40; n++) {
        for (size_t slack = 0; slack < 9; slack++) {
            Nplus1TextScan r = nplus1_scan_text(g.place(s, slack));
            EXPECT_EQ(r.length, s.size()) << n << " " << slack;
            EXPECT_FALSE(r.slash) << n;
            Nplus1TextScan q = nplus1_scan_slash(g.place(s, slack));
            EXPECT_EQ(q.length, s.size()) << n << " " << slack;
            EXPECT_FALSE(q.slash) << n;
            EXPECT_EQ(q.hash, 0u);
        }
        s += char('a' + n % 26);
    }
    for (size_t pos = 0; pos < 20; pos++) {
        std::string t(20, 'x');
        t[pos] = '/';
        for (size_t slack = 0; slack < 9; slack++) {
            EXPECT_TRUE(nplus1_scan_text(g.place(t, slack)).slash) << pos;
            EXPECT_TRUE(nplus1_scan_slash(g.place(t, slack)).slash) << pos;
        }
    }
}

TEST(Nplus1Text, LongTextsAcrossPageEnds) {
    // Texts of every length up to 3 blocks, ending at every distance from a
    // guard page, with and without a '/' at every position: the length, the
    // '/' and the hash do not depend on where the text ends.
    GuardedPage g;
    for (size_t n = 0; n < 50; n++) {
        std::string t;
        for (size_t i = 0; i < n; i++) t += char('A' + (i * 7) % 26);
        const uint64_t h0 = nplus1_scan_text(t.c_str()).hash;
        for (size_t slack = 0; slack < 33; slack++) {
            Nplus1TextScan r = nplus1_scan_text(g.place(t, slack));
            EXPECT_EQ(r.length, n) << n << " " << slack;
            EXPECT_EQ(r.hash, h0) << n << " " << slack;
            EXPECT_FALSE(r.slash);
        }
        for (size_t pos = 0; pos < n; pos++) {
            std::string u = t;
            u[pos] = '/';
            for (size_t slack = 0; slack < 17; slack += 5) {
                EXPECT_TRUE(nplus1_scan_text(g.place(u, slack)).slash) << n << " " << pos;
                EXPECT_TRUE(nplus1_scan_slash(g.place(u, slack)).slash) << n << " " << pos;
            }
        }
    }
}

TEST(Nplus1Text, WordReaderAgreesWithTheBuildsReader) {
    // The 8-byte reader (builds without SSE2) finds the same length and '/'
    // as the one this build uses, near a page end too, and its hash also
    // tells one changed byte apart.
    using nplus1_text_detail::WordReader;
    GuardedPage g;
    for (size_t n = 0; n < 40; n++) {
        std::string t;
        for (size_t i = 0; i < n; i++) t += char('a' + (i * 5) % 26);
        for (size_t pos = 0; pos <= n; pos++) {
            std::string u = t;
            if (pos < n) u[pos] = '/';
            for (size_t slack = 0; slack < 17; slack += 4) {
                const char* at = g.place(u, slack);
                const Nplus1TextScan w = nplus1_scan_text_with<WordReader, true>(at);
                const Nplus1TextScan b = nplus1_scan_text(at);
                EXPECT_EQ(w.length, b.length) << n << " " << pos << " " << slack;
                EXPECT_EQ(w.slash, b.slash) << n << " " << pos << " " << slack;
                const Nplus1TextScan ws = nplus1_scan_text_with<WordReader, false>(at);
                EXPECT_EQ(ws.slash, b.slash);
            }
            if (pos < n) {
                const uint64_t hu = nplus1_scan_text_with<WordReader, true>(u.c_str()).hash;
                const uint64_t ht = nplus1_scan_text_with<WordReader, true>(t.c_str()).hash;
                EXPECT_NE(hu, ht) << n << " " << pos;
            }
        }
    }
}

TEST(Nplus1Text, OneByteChangedAnywhereChangesTheHash) {
    std::string t = "SELECT abalance FROM pgbench_accounts WHERE aid = 1234567";
    const uint64_t h0 = nplus1_scan_text(t.c_str()).hash;
    for (size_t pos = 0; pos < t.size(); pos++) {
        std::string u = t;
        u[pos] = char(u[pos] ^ 1);
        EXPECT_NE(nplus1_scan_text(u.c_str()).hash, h0) << pos;
    }
}

TEST(Nplus1Text, SlashAfterTheEndIsNotSeen) {
    GuardedPage g;
    // "abc\0/" : the '/' lies in the same word as the NUL, after it.
    const char* p = g.at(std::string("abc") + '\0' + "/////", 64);
    Nplus1TextScan r = nplus1_scan_text(p);
    EXPECT_EQ(r.length, 3u);
    EXPECT_FALSE(r.slash);
    EXPECT_FALSE(nplus1_scan_slash(p).slash);
}

TEST(Nplus1Text, HashDependsOnTheTextNotItsAddress) {
    GuardedPage g;
    const std::string q = "SELECT * FROM todos WHERE list_id = 12345";
    uint64_t h0 = nplus1_scan_text(q.c_str()).hash;
    for (size_t off = 0; off < 16; off++) EXPECT_EQ(nplus1_scan_text(g.at(q, 128 + off)).hash, h0) << off;
    for (size_t slack = 0; slack < 9; slack++) EXPECT_EQ(nplus1_scan_text(g.place(q, slack)).hash, h0) << slack;
}

TEST(Nplus1Text, DifferentConstantsGiveDifferentHashes) {
    uint64_t a = nplus1_scan_text("SELECT * FROM todos WHERE list_id = 12345").hash;
    uint64_t b = nplus1_scan_text("SELECT * FROM todos WHERE list_id = 12346").hash;
    uint64_t c = nplus1_scan_text("SELECT * FROM todos WHERE list_id = 1234").hash;
    uint64_t d = nplus1_scan_text("SELECT * FROM todos WHERE list_id = 12345 ").hash;
    EXPECT_NE(a, b);
    EXPECT_NE(a, c);
    EXPECT_NE(a, d);
    // A NUL-padded tail is not the same text as a shorter one.
    EXPECT_NE(nplus1_scan_text("ab").hash, nplus1_scan_text("a").hash);
    EXPECT_NE(nplus1_scan_text("").hash, nplus1_scan_text("a").hash);
}

TEST(Nplus1Text, HashWithoutCommentsIgnoresOnlyComments) {
    auto h = [](const char* s) { return nplus1_text_hash_without_comments(s, std::strlen(s)); };
    uint64_t base = h("SELECT * FROM users WHERE id = 7");
    EXPECT_EQ(h("SELECT * FROM users WHERE id = 7 /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/"), base);
    EXPECT_EQ(h("SELECT * FROM users WHERE id = 7 /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01'*/"), base);
    EXPECT_EQ(h("/* request_id='r1' */ SELECT * FROM users WHERE id = 7"), base);
    EXPECT_EQ(h("SELECT * FROM users WHERE id = 7 -- trailing note"), base);
    EXPECT_NE(h("SELECT * FROM users WHERE id = 8 /*request_id='r1'*/"), base);
    // Inside a string a comment opener is data.
    EXPECT_NE(h("SELECT '/*a*/'"), h("SELECT '/*b*/'"));
    EXPECT_NE(h("SELECT 'it''s /*a*/'"), h("SELECT 'it''s /*b*/'"));
    // An unterminated comment ends the text.
    EXPECT_EQ(h("SELECT 1 /* open"), h("SELECT 1"));
}

}  // namespace
