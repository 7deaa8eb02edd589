// The self-contained HTML report (`--html FILE`): inline CSS and inline SVG
// charts, no scripts, no external resources. Written as XHTML-compatible
// markup (every element closed, every attribute quoted, text escaped), so
// an XML parser accepts it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fleet.hpp"
#include "model.hpp"

namespace pothos::cli {

// Text escaped for XML/HTML content and attribute values.
std::string xml_escape(std::string_view s);

struct BarGroup {
    std::string label;
    std::vector<double> values;  // one per series
};

enum class Scale { Linear, Log };

// A horizontal grouped bar chart as an <svg> element. `series` names the
// values of each group (the legend); `unit` is appended to the value labels.
// Scale::Log sizes bars by log10(1 + v / floor) with floor = max / 10^4, so
// values four orders of magnitude apart are both visible (latencies).
std::string svg_bar_chart(const std::string& title, const std::vector<std::string>& series,
                          const std::vector<BarGroup>& groups, const std::string& unit,
                          Scale scale = Scale::Linear);

// health() JSON as a two-column table (measure, value), the rows of the text
// report's Health section; the text as is when it is not JSON.
std::string html_health(const std::string& health_json);

// The whole document.
std::string html_report(const Report& r);
// The whole document for several servers: statements merged with a column
// and a chart series per server, findings and health per server,
// recommendations once, for the primary.
std::string html_fleet_report(const FleetReport& f);

}  // namespace pothos::cli
