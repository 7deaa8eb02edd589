// hot.h -- placement of the per-statement code.
//
// Every statement runs the hooks, so the code they touch is fetched again
// for each one: the backend's own per-statement path is larger than the
// instruction cache, and whatever we add is usually evicted by the time the
// next statement comes. What a statement costs us is therefore mostly the
// number of distinct cache lines (and pages) of code it touches, not the
// instructions. POTHOS_HOT marks a function of the common per-statement path:
// GCC places these together (.text.hot), so that path spans few lines and
// pages. POTHOS_COLD marks a function the common path calls only in rare
// cases (first sight of a statement, analysis, errors): it is kept out of
// line and away from the hot code.
#pragma once

#if defined(__GNUC__)
#define POTHOS_HOT __attribute__((hot))
#define POTHOS_COLD __attribute__((cold, noinline))
#define POTHOS_LIKELY(x) __builtin_expect(!!(x), 1)
#define POTHOS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define POTHOS_HOT
#define POTHOS_COLD
#define POTHOS_LIKELY(x) (x)
#define POTHOS_UNLIKELY(x) (x)
#endif
