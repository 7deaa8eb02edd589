#include "core/metrics/prometheus.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

namespace pothos::core::prometheus {

namespace {

bool name_char(char c, bool first, bool allow_colon) {
    bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    return first ? alpha : alpha || (c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool allow_colon) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (!name_char(name[i], i == 0, allow_colon)) return false;
    }
    return true;
}

const char* type_name(MetricType t) {
    switch (t) {
        case MetricType::Counter:
            return "counter";
        case MetricType::Gauge:
            return "gauge";
        case MetricType::Histogram:
            return "histogram";
    }
    return "untyped";
}

// {a="x",b="y"} (empty string for no labels); `extra` is appended last.
std::string render_labels(const Labels& labels, std::string_view extra_name = {},
                          std::string_view extra_value = {}) {
    if (labels.empty() && extra_name.empty()) return std::string();
    std::string out = "{";
    bool first = true;
    auto add = [&](std::string_view n, std::string_view v) {
        if (!first) out += ',';
        first = false;
        out.append(n);
        out += "=\"";
        out += escape_label_value(v);
        out += '"';
    };
    for (const auto& [n, v] : labels) add(n, v);
    if (!extra_name.empty()) add(extra_name, extra_value);
    out += '}';
    return out;
}

void sample_line(std::string& body, std::string_view name, std::string_view suffix,
                 const std::string& labels, double value) {
    body.append(name);
    body.append(suffix);
    body += labels;
    body += ' ';
    body += format_value(value);
    body += '\n';
}

bool histogram_suffix_of(std::string_view name, std::string_view base) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (name.size() == base.size() + suffix.size() && name.substr(0, base.size()) == base &&
            name.substr(base.size()) == suffix) {
            return true;
        }
    }
    return false;
}

// Length of the valid UTF-8 sequence starting at s[i], 0 if there is none.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) -> unsigned {
        return k < s.size() ? static_cast<unsigned char>(s[k]) : 0x100;
    };
    auto cont = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80 && byte(k) < 0x100; };
    unsigned b = byte(i);
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
    if (b >= 0xE0 && b <= 0xEF) {
        unsigned lo = b == 0xE0 ? 0xA0 : 0x80;
        unsigned hi = b == 0xED ? 0x9F : 0xBF;
        return byte(i + 1) >= lo && byte(i + 1) <= hi && cont(i + 2) ? 3 : 0;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        unsigned lo = b == 0xF0 ? 0x90 : 0x80;
        unsigned hi = b == 0xF4 ? 0x8F : 0xBF;
        return byte(i + 1) >= lo && byte(i + 1) <= hi && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    return 0;
}

// Backslash and newline always, the double quote only in label values; bytes
// that are not UTF-8 become U+FFFD (the format requires UTF-8).
std::string escape(std::string_view text, bool quote) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char c = text[i];
        std::size_t n = utf8_length(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (quote && c == '"') {
            out += "\\\"";
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

}  // namespace

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }

bool valid_label_name(std::string_view name) {
    return valid_name(name, false) && name.substr(0, 2) != "__";
}

std::string escape_label_value(std::string_view value) { return escape(value, true); }

std::string escape_help(std::string_view help) { return escape(help, false); }

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, res.ptr);
}

std::vector<double> default_duration_buckets() {
    return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

HistogramData rebucket(const double* bounds, const std::uint64_t* counts, std::size_t n,
                       const std::vector<double>& target_bounds, double sum, double scale) {
    HistogramData out;
    out.upper_bounds = target_bounds;
    out.counts.assign(target_bounds.size() + 1, 0);
    out.sum = sum;
    std::size_t t = 0;  // source bounds increase, so the target index only moves up
    for (std::size_t i = 0; i < n; ++i) {
        double upper = bounds[i] * scale;
        while (t < target_bounds.size() &&
               upper > target_bounds[t] + std::fabs(target_bounds[t]) * 1e-9) {
            ++t;
        }
        out.counts[t] += counts[i];
    }
    return out;
}

// ---- ExpositionWriter ------------------------------------------------------------

ExpositionWriter::Family* ExpositionWriter::find(std::string_view name) {
    for (Family& f : families_) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

bool ExpositionWriter::fail(std::string message) {
    errors_.push_back(std::move(message));
    return false;
}

ExpositionWriter::Family* ExpositionWriter::family_for(std::string_view name, MetricType type,
                                                       std::string_view help) {
    if (!declare(name, type, help)) return nullptr;
    return find(name);
}

bool ExpositionWriter::declare(std::string_view name, MetricType type, std::string_view help) {
    std::string n(name);
    if (!valid_metric_name(name)) return fail("invalid metric name \"" + n + "\"");
    if (Family* f = find(name)) {
        if (f->type != type) {
            return fail("metric " + n + " is already a " + type_name(f->type) + ", not a " +
                        type_name(type));
        }
        return true;
    }
    for (const Family& f : families_) {
        bool clash = (f.type == MetricType::Histogram && histogram_suffix_of(name, f.name)) ||
                     (type == MetricType::Histogram && histogram_suffix_of(f.name, name));
        if (clash) return fail("metric " + n + " clashes with the series of " + f.name);
    }
    families_.push_back(Family{n, type, std::string(help), std::string(), {}});
    return true;
}

bool ExpositionWriter::check_labels(const Labels& labels, bool histogram) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::string& n = labels[i].first;
        if (!valid_label_name(n)) return fail("invalid label name \"" + n + "\"");
        if (histogram && n == "le") return fail("label \"le\" is reserved in histograms");
        for (std::size_t j = 0; j < i; ++j) {
            if (labels[j].first == n) return fail("label \"" + n + "\" given twice");
        }
    }
    return true;
}

bool ExpositionWriter::claim_series(Family& f, const std::string& label_text) {
    auto it = std::lower_bound(f.series.begin(), f.series.end(), label_text);
    if (it != f.series.end() && *it == label_text) {
        return fail("duplicate series " + f.name + label_text);
    }
    f.series.insert(it, label_text);
    return true;
}

bool ExpositionWriter::counter(std::string_view name, std::string_view help, const Labels& labels,
                               double value) {
    if (std::isnan(value) || value < 0) {
        return fail("counter " + std::string(name) + " must not be negative or NaN");
    }
    return scalar(name, MetricType::Counter, help, labels, value);
}

bool ExpositionWriter::gauge(std::string_view name, std::string_view help, const Labels& labels,
                             double value) {
    return scalar(name, MetricType::Gauge, help, labels, value);
}

bool ExpositionWriter::scalar(std::string_view name, MetricType type, std::string_view help,
                              const Labels& labels, double value) {
    if (!check_labels(labels, false)) return false;
    Family* f = family_for(name, type, help);
    if (!f) return false;
    std::string lt = render_labels(labels);
    if (!claim_series(*f, lt)) return false;
    sample_line(f->body, name, "", lt, value);
    return true;
}

bool ExpositionWriter::histogram(std::string_view name, std::string_view help, const Labels& labels,
                                 const HistogramData& data) {
    std::string n(name);
    if (!check_labels(labels, true)) return false;
    const std::vector<double>& bounds = data.upper_bounds;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
            return fail("histogram " + n + ": bounds must be finite and strictly increasing");
        }
    }
    if (data.counts.size() != bounds.size() && data.counts.size() != bounds.size() + 1) {
        return fail("histogram " + n + ": counts must have one entry per bound (+1 for overflow)");
    }
    if (std::isnan(data.sum)) return fail("histogram " + n + ": sum is NaN");
    Family* f = family_for(name, MetricType::Histogram, help);
    if (!f) return false;
    std::string lt = render_labels(labels);
    if (!claim_series(*f, lt)) return false;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += data.counts[i];
        sample_line(f->body, name, "_bucket", render_labels(labels, "le", format_value(bounds[i])),
                    static_cast<double>(cumulative));
    }
    if (data.counts.size() > bounds.size()) cumulative += data.counts.back();
    sample_line(f->body, name, "_bucket", render_labels(labels, "le", "+Inf"),
                static_cast<double>(cumulative));
    sample_line(f->body, name, "_sum", lt, data.sum);
    sample_line(f->body, name, "_count", lt, static_cast<double>(cumulative));
    return true;
}

std::string ExpositionWriter::text() const {
    std::string out;
    for (const Family& f : families_) {
        if (!f.help.empty()) out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
        out += "# TYPE " + f.name + " " + type_name(f.type) + "\n";
        out += f.body;
    }
    return out;
}

// ---- cardinality ---------------------------------------------------------------------

std::vector<bool> top_n(const std::vector<double>& weights, std::size_t max_series) {
    std::vector<std::size_t> order(weights.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto weight = [&](std::size_t i) {
        return std::isnan(weights[i]) ? -std::numeric_limits<double>::infinity() : weights[i];
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return weight(a) > weight(b); });
    std::vector<bool> keep(weights.size(), false);
    for (std::size_t i = 0; i < order.size() && i < max_series; ++i) keep[order[i]] = true;
    return keep;
}

Labels fold_labels(const Labels& labels, const std::vector<std::string>& fold,
                   std::string_view other) {
    Labels out = labels;
    for (auto& [n, v] : out) {
        if (fold.empty() || std::find(fold.begin(), fold.end(), n) != fold.end()) {
            v = std::string(other);
        }
    }
    return out;
}

namespace {

double weight_of(const Sample& s) { return s.value; }
double weight_of(const HistogramSample& s) {
    double n = 0;
    for (std::uint64_t c : s.data.counts) n += static_cast<double>(c);
    return n;
}

bool merge_into(Sample& into, const Sample& from) {
    into.value += from.value;
    return true;
}

bool merge_into(HistogramSample& into, const HistogramSample& from) {
    if (into.data.upper_bounds != from.data.upper_bounds) return false;
    std::vector<std::uint64_t>& c = into.data.counts;
    if (c.size() < from.data.counts.size()) c.resize(from.data.counts.size(), 0);
    for (std::size_t i = 0; i < from.data.counts.size(); ++i) c[i] += from.data.counts[i];
    into.data.sum += from.data.sum;
    return true;
}

template <typename S>
std::vector<S> limit_series(const std::vector<S>& samples, std::size_t max_series,
                            const std::vector<std::string>& fold, std::string_view other) {
    std::vector<double> weights;
    weights.reserve(samples.size());
    for (const S& s : samples) weights.push_back(weight_of(s));
    std::vector<bool> keep = top_n(weights, max_series);
    std::vector<S> out;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (keep[i]) out.push_back(samples[i]);
    }
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (keep[i]) continue;
        S folded = samples[i];
        folded.labels = fold_labels(samples[i].labels, fold, other);
        auto same = std::find_if(out.begin(), out.end(),
                                 [&](const S& s) { return s.labels == folded.labels; });
        if (same == out.end()) {
            out.push_back(std::move(folded));
        } else {
            merge_into(*same, folded);
        }
    }
    return out;
}

}  // namespace

std::vector<Sample> limit_cardinality(const std::vector<Sample>& samples, std::size_t max_series,
                                      const std::vector<std::string>& fold,
                                      std::string_view other) {
    return limit_series(samples, max_series, fold, other);
}

std::vector<HistogramSample> limit_cardinality(const std::vector<HistogramSample>& samples,
                                               std::size_t max_series,
                                               const std::vector<std::string>& fold,
                                               std::string_view other) {
    return limit_series(samples, max_series, fold, other);
}

}  // namespace pothos::core::prometheus
