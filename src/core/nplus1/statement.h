// nplus1/statement.h -- the kind of statement a batched rewrite is for
// (nplus1/rewrite.h), in a header of its own: a plain enum the extension's
// C-style code can name without the C++ facts.
#pragma once

namespace pothos::core {

enum class Nplus1Statement { Select, Insert, Update, Delete, Other };

}  // namespace pothos::core
