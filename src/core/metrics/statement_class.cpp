#include "core/metrics/statement_class.h"

#include <optional>
#include <vector>

#include "core/common/sql_text.h"

namespace pothos::core {

namespace {

using sql::Token;
using sql::TokenKind;

class Classifier {
public:
    explicit Classifier(std::string_view text) : text_(text) {
        for (const Token& t : sql::tokenize(text)) {
            if (t.kind != TokenKind::Comment) tokens_.push_back(t);
        }
    }

    StatementClass run(int nesting) {
        StatementClass out;
        out.operation = "utility";
        std::size_t i = 0;
        while (i < tokens_.size() && punct(i, "(")) ++i;  // (SELECT ...) UNION ...
        if (i >= tokens_.size()) return out;
        int depth = tokens_[i].depth;
        if (word(i, "with")) i = main_statement(i + 1, depth);
        if (i >= tokens_.size()) return out;
        if (word(i, "select")) {
            out.operation = "select";
            out.model = select_model(i, depth, nesting);
        } else if (word(i, "values") || word(i, "table")) {
            out.operation = "select";
            if (word(i, "table")) out.model = name_at(i + 1);
        } else if (word(i, "insert") && word(i + 1, "into")) {
            out.operation = "insert";
            out.model = name_at(i + 2);
        } else if (word(i, "update")) {
            out.operation = "update";
            out.model = name_at(skip_only(i + 1));
        } else if (word(i, "delete") && word(i + 1, "from")) {
            out.operation = "delete";
            out.model = name_at(skip_only(i + 2));
        } else if (word(i, "merge") && word(i + 1, "into")) {
            out.operation = "update";
            out.model = name_at(skip_only(i + 2));
        }
        return out;
    }

private:
    bool word(std::size_t i, std::string_view w) const {
        return i < tokens_.size() && sql::is_keyword(text_, tokens_[i], w);
    }
    bool punct(std::size_t i, std::string_view p) const {
        return i < tokens_.size() && tokens_[i].kind == TokenKind::Punct &&
               sql::token_text(text_, tokens_[i]) == p;
    }
    bool identifier(std::size_t i) const {
        return i < tokens_.size() &&
               (tokens_[i].kind == TokenKind::Word || tokens_[i].kind == TokenKind::QuotedIdent);
    }

    // The first SELECT/INSERT/UPDATE/DELETE/MERGE/VALUES/TABLE at `depth`
    // after a WITH (the CTE bodies are deeper).
    std::size_t main_statement(std::size_t i, int depth) const {
        for (; i < tokens_.size(); ++i) {
            if (tokens_[i].depth != depth) continue;
            for (std::string_view k : {"select", "insert", "update", "delete", "merge", "values"}) {
                if (word(i, k)) return i;
            }
        }
        return tokens_.size();
    }

    std::size_t skip_only(std::size_t i) const { return word(i, "only") ? i + 1 : i; }

    std::string fold(std::size_t i) const { return sql::identifier_name(text_, tokens_[i]); }

    // The last part of a possibly qualified name starting at i; empty if
    // there is none, or if `in_from` and it is a function call.
    std::string name_at(std::size_t i, bool in_from = false) const {
        if (!identifier(i)) return std::string();
        while (punct(i + 1, ".") && identifier(i + 2)) i += 2;
        if (in_from && punct(i + 1, "(")) return std::string();
        return fold(i);
    }

    std::string select_model(std::size_t select, int depth, int nesting) const {
        for (std::size_t i = select + 1; i < tokens_.size(); ++i) {
            if (tokens_[i].depth < depth) break;
            if (tokens_[i].depth != depth || !word(i, "from")) continue;
            std::size_t j = i + 1;
            if (word(j, "lateral")) ++j;
            j = skip_only(j);
            if (punct(j, "(") && nesting < 8) {
                // FROM (subquery): the subquery's own main table.
                std::optional<std::size_t> close = sql::matching_paren(text_, tokens_[j].begin);
                if (!close) return std::string();
                std::size_t from = tokens_[j].end;
                return Classifier(text_.substr(from, *close - from)).run(nesting + 1).model;
            }
            return name_at(j, true);
        }
        return std::string();
    }

    std::string_view text_;
    std::vector<Token> tokens_;
};

}  // namespace

StatementClass classify_statement(std::string_view text) { return Classifier(text).run(0); }

}  // namespace pothos::core
