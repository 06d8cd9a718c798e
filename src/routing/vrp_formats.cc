#include "routing/vrp_formats.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace meal::routing {
namespace {

// Whitespace as the benchmark files use it: spaces and tabs between fields,
// and a '\r' left over from CRLF endings at the end of each line.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

struct Line {
  int number = 0;  // 1-based, as editors show it
  std::string_view text;
};

// Splits on '\n' only; a trailing '\r' is whitespace to the callers, so CRLF
// files need no special case.
std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  int number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back({++number, text.substr(0, end)});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start) tokens.push_back(s.substr(start, i - start));
  }
  return tokens;
}

bool ParseNumber(std::string_view token, double* out) {
  // from_chars rejects a leading '+', which no benchmark file uses.
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

// Integer-valued numbers may be written "10" or "10.0"; the bound keeps the
// conversion to int defined.
bool IsInt(double v) { return std::nearbyint(v) == v && std::fabs(v) < 1e9; }

std::string Num(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// Messages are built by appending rather than with "literal" + std::string:
// GCC 12 at -O3 reports a false -Wrestrict for the latter.
template <typename T>
void AppendPiece(std::string* out, const T& value) {
  if constexpr (std::is_floating_point_v<T>) {
    out->append(Num(value));
  } else if constexpr (std::is_integral_v<T>) {
    out->append(std::to_string(value));
  } else {
    out->append(std::string_view(value));
  }
}

template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (AppendPiece(&out, args), ...);
  return out;
}

std::string Quote(std::string_view s) { return Cat("'", s, "'"); }

Status Bad(const std::string& source, int line, const std::string& what) {
  return Status::Invalid(Cat(source, ":", line, ": ", what));
}

Status ReadFile(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(Cat("cannot open ", path, ": ", std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::Io(Cat("cannot read ", path));
  *text = std::move(buffer).str();
  return Status::Ok();
}

// "dir/c101.txt" -> "c101".
std::string Stem(const std::string& source) {
  std::string name = source;
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0) name.erase(dot);
  return name;
}

// Column names, for messages.
using Columns = std::span<const char* const>;

// Parses every token of a row as a number; `columns` names them for messages.
Status ParseRow(const std::string& source, const Line& line, const std::vector<std::string_view>& tokens,
                Columns columns, std::vector<double>* values) {
  if (tokens.size() != columns.size()) {
    std::string names;
    for (const char* c : columns) {
      if (!names.empty()) names += ", ";
      names += c;
    }
    return Bad(source, line.number,
               Cat("expected ", columns.size(), " numbers (", names, "), got ", tokens.size(), " fields"));
  }
  values->assign(tokens.size(), 0.0);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (!ParseNumber(tokens[i], &(*values)[i])) {
      return Bad(source, line.number, Cat(Quote(tokens[i]), " is not a number (column ", columns[i], ")"));
    }
  }
  return Status::Ok();
}

Status RequireInt(const std::string& source, int line, double v, const char* column) {
  if (!IsInt(v)) return Bad(source, line, Cat(column, " must be an integer, got ", v));
  return Status::Ok();
}

// The columns both formats share, in file order: id x y demand ready due
// service. Checks what holds in both; `index` is the id this row must have.
Status FillNode(const std::string& source, int line, const std::vector<double>& v,
                Columns columns, int index, VrpNode* node) {
  for (int c : {0, 3}) {
    if (Status s = RequireInt(source, line, v[c], columns[c]); !s.ok()) return s;
  }
  if (static_cast<int>(v[0]) != index) {
    return Bad(source, line, Cat("node id ", v[0], " out of sequence: expected ", index));
  }
  if (v[4] > v[5]) {
    return Bad(source, line, Cat("ready time ", v[4], " is after due time ", v[5]));
  }
  if (v[6] < 0) return Bad(source, line, Cat("negative service time ", v[6]));
  node->id = index;
  node->x = v[1];
  node->y = v[2];
  node->demand = static_cast<int>(v[3]);
  node->ready = v[4];
  node->due = v[5];
  node->service = v[6];
  return Status::Ok();
}

Status FillFleet(const std::string& source, int line, double vehicles, double capacity, VrpInstance* instance) {
  if (!IsInt(vehicles) || vehicles < 1) {
    return Bad(source, line, Cat("vehicle count must be a positive integer, got ", vehicles));
  }
  if (!IsInt(capacity) || capacity < 1) {
    return Bad(source, line, Cat("capacity must be a positive integer, got ", capacity));
  }
  instance->vehicles = static_cast<int>(vehicles);
  instance->capacity = static_cast<int>(capacity);
  return Status::Ok();
}

bool StartsWithNumber(const std::vector<std::string_view>& tokens) {
  double ignored = 0;
  return !tokens.empty() && ParseNumber(tokens[0], &ignored);
}

constexpr std::array<const char*, 7> kSolomonColumns = {"CUST NO.",   "XCOORD.",  "YCOORD.",     "DEMAND",
                                                       "READY TIME", "DUE DATE", "SERVICE TIME"};
constexpr std::array<const char*, 9> kLiLimColumns = {"index",  "x",       "y",      "demand",  "earliest",
                                                     "latest", "service", "pickup", "delivery"};
constexpr std::array<const char*, 2> kFleetColumns = {"NUMBER", "CAPACITY"};
constexpr std::array<const char*, 3> kLiLimFleetColumns = {"vehicles", "capacity", "speed"};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Splits one CSV record (RFC 4180 quoting; no line breaks inside quotes,
// which no BKS table has). Returns false on an unterminated quote.
bool SplitCsv(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields->push_back(std::string(Trim(field)));
      field.clear();
    } else {
      field += c;
    }
  }
  if (quoted) return false;
  fields->push_back(std::string(Trim(field)));
  return true;
}

}  // namespace

Status ParseSolomon(std::string_view text, const std::string& source, VrpInstance* instance) {
  *instance = VrpInstance();
  instance->name = Stem(source);
  instance->pickup_delivery = false;
  enum class Expect { kName, kFleet, kNodes };
  Expect expect = Expect::kName;
  std::vector<double> values;
  int last_line = 1;  // for messages about an empty file
  for (const Line& line : SplitLines(text)) {
    last_line = line.number;
    const std::vector<std::string_view> tokens = Tokens(line.text);
    if (tokens.empty()) continue;
    const bool numeric = StartsWithNumber(tokens);
    switch (expect) {
      case Expect::kName:
        if (numeric) {
          return Bad(source, line.number,
                     "expected the instance name on the first line, got numbers (a Li & Lim file?)");
        }
        expect = Expect::kFleet;
        break;
      case Expect::kFleet:
        if (!numeric) break;  // "VEHICLE", "NUMBER CAPACITY"
        if (Status s = ParseRow(source, line, tokens, kFleetColumns, &values); !s.ok()) return s;
        if (Status s = FillFleet(source, line.number, values[0], values[1], instance); !s.ok()) return s;
        expect = Expect::kNodes;
        break;
      case Expect::kNodes: {
        if (!numeric) {
          if (instance->nodes.empty()) break;  // "CUSTOMER", the column header
          return Bad(source, line.number,
                     Cat("expected a node row of 7 numbers, got ", Quote(Trim(line.text))));
        }
        if (Status s = ParseRow(source, line, tokens, kSolomonColumns, &values); !s.ok()) return s;
        VrpNode node;
        const int index = static_cast<int>(instance->nodes.size());
        if (Status s = FillNode(source, line.number, values, kSolomonColumns, index, &node); !s.ok()) return s;
        if (node.demand < 0) return Bad(source, line.number, Cat("negative demand ", node.demand));
        if (index == 0 && node.demand != 0) {
          return Bad(source, line.number, Cat("the depot (node 0) has demand ", node.demand));
        }
        instance->nodes.push_back(node);
        break;
      }
    }
  }
  if (expect != Expect::kNodes) {
    return Bad(source, last_line,
               expect == Expect::kName ? "empty file" : "unexpected end of file: no vehicle NUMBER, CAPACITY row");
  }
  if (instance->nodes.size() < 2) {
    return Bad(source, last_line, "unexpected end of file: no customer rows after the depot");
  }
  return Status::Ok();
}

Status ParseLiLim(std::string_view text, const std::string& source, VrpInstance* instance) {
  *instance = VrpInstance();
  instance->name = Stem(source);
  instance->pickup_delivery = true;
  bool have_fleet = false;
  std::vector<int> node_line;  // file line of each node, for the pairing checks below
  std::vector<double> values;
  int last_line = 1;  // for messages about an empty file
  for (const Line& line : SplitLines(text)) {
    last_line = line.number;
    const std::vector<std::string_view> tokens = Tokens(line.text);
    if (tokens.empty()) continue;
    if (!have_fleet) {
      if (!StartsWithNumber(tokens)) {
        return Bad(source, line.number,
                   Cat("expected 'vehicles capacity speed' on the first line, got ", Quote(Trim(line.text)),
                       " (a Solomon file?)"));
      }
      if (tokens.size() != 2 && tokens.size() != 3) {
        return Bad(source, line.number,
                   Cat("expected 3 numbers (vehicles, capacity, speed), got ", tokens.size(), " fields"));
      }
      const Columns columns = Columns(kLiLimFleetColumns).first(tokens.size());
      if (Status s = ParseRow(source, line, tokens, columns, &values); !s.ok()) return s;
      if (Status s = FillFleet(source, line.number, values[0], values[1], instance); !s.ok()) return s;
      have_fleet = true;
      continue;
    }
    if (Status s = ParseRow(source, line, tokens, kLiLimColumns, &values); !s.ok()) return s;
    for (int c : {7, 8}) {
      if (Status s = RequireInt(source, line.number, values[c], kLiLimColumns[c]); !s.ok()) return s;
    }
    VrpNode node;
    const int index = static_cast<int>(instance->nodes.size());
    if (Status s = FillNode(source, line.number, values, kLiLimColumns, index, &node); !s.ok()) return s;
    node.pickup = static_cast<int>(values[7]);
    node.delivery = static_cast<int>(values[8]);
    instance->nodes.push_back(node);
    node_line.push_back(line.number);
  }
  if (!have_fleet) return Bad(source, last_line, "empty file");
  const int n = static_cast<int>(instance->nodes.size());
  if (n < 2) return Bad(source, last_line, "unexpected end of file: no task rows after the depot");

  // Pairing is checked once every row is known, since a pickup's delivery
  // may come later in the file; each message points at the row at fault.
  const VrpNode& depot = instance->nodes[0];
  if (depot.demand != 0 || depot.pickup != 0 || depot.delivery != 0) {
    return Bad(source, node_line[0], "the depot (node 0) must have demand 0, pickup 0 and delivery 0");
  }
  // First each row on its own, so that a row naming a wrong partner is
  // blamed rather than the partner it names.
  for (int i = 1; i < n; ++i) {
    const VrpNode& node = instance->nodes[i];
    if ((node.pickup == 0) == (node.delivery == 0)) {
      return Bad(source, node_line[i],
                 Cat("task ", i, " must have exactly one of pickup and delivery non-zero, got ", node.pickup, " and ",
                     node.delivery));
    }
    const int partner = node.pickup + node.delivery;  // the non-zero one
    if (partner < 1 || partner >= n || partner == i) {
      return Bad(source, node_line[i], Cat("task ", i, " names partner ", partner, ", not a task in 1..", n - 1));
    }
    if (node.delivery != 0 && node.demand < 0) {
      return Bad(source, node_line[i], Cat("pickup ", i, " has negative demand ", node.demand));
    }
  }
  for (int i = 1; i < n; ++i) {
    const VrpNode& node = instance->nodes[i];
    const bool is_pickup = node.delivery != 0;
    const int partner = is_pickup ? node.delivery : node.pickup;
    const VrpNode& other = instance->nodes[partner];
    if ((is_pickup && other.pickup != i) || (!is_pickup && other.delivery != i)) {
      return Bad(source, node_line[i], Cat("task ", i, " names partner ", partner,
                                           ", which does not name it back (line ", node_line[partner], ")"));
    }
    if (node.demand != -other.demand) {
      return Bad(source, node_line[i], Cat("task ", i, " has demand ", node.demand, " but its partner ", partner,
                                           " has ", other.demand, " (must be opposite)"));
    }
  }
  return Status::Ok();
}

Status LoadSolomon(const std::string& path, VrpInstance* instance) {
  std::string text;
  if (Status s = ReadFile(path, &text); !s.ok()) return s;
  return ParseSolomon(text, path, instance);
}

Status LoadLiLim(const std::string& path, VrpInstance* instance) {
  std::string text;
  if (Status s = ReadFile(path, &text); !s.ok()) return s;
  return ParseLiLim(text, path, instance);
}

Status ParseBks(std::string_view text, const std::string& source, std::map<std::string, Bks>* bks) {
  bks->clear();
  int col_instance = -1;
  int col_vehicles = -1;
  int col_distance = -1;
  std::size_t needed = 0;
  std::map<std::string, int> first_line;
  std::vector<std::string> fields;
  int last_line = 1;  // for messages about an empty file
  for (const Line& line : SplitLines(text)) {
    last_line = line.number;
    if (Trim(line.text).empty()) continue;
    if (!SplitCsv(Trim(line.text), &fields)) return Bad(source, line.number, "unterminated quote");
    if (col_instance < 0) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const int index = static_cast<int>(i);
        if (EqualsIgnoreCase(fields[i], "instance")) col_instance = index;
        if (EqualsIgnoreCase(fields[i], "vehicles")) col_vehicles = index;
        if (EqualsIgnoreCase(fields[i], "distance")) col_distance = index;
      }
      if (col_instance < 0 || col_vehicles < 0 || col_distance < 0) {
        return Bad(source, line.number,
                   Cat("the header must name the columns instance, vehicles and distance, got ",
                       Quote(Trim(line.text))));
      }
      needed = static_cast<std::size_t>(std::max({col_instance, col_vehicles, col_distance})) + 1;
      continue;
    }
    if (fields.size() < needed) {
      return Bad(source, line.number,
                 Cat("expected at least ", needed, " fields, got ", fields.size()));
    }
    const std::string& name = fields[col_instance];
    if (name.empty()) return Bad(source, line.number, "empty instance name");
    double vehicles = 0;
    double distance = 0;
    if (!ParseNumber(fields[col_vehicles], &vehicles) || !IsInt(vehicles) || vehicles < 1) {
      return Bad(source, line.number, Cat("vehicles must be a positive integer, got ", Quote(fields[col_vehicles])));
    }
    if (!ParseNumber(fields[col_distance], &distance) || distance < 0) {
      return Bad(source, line.number,
                 Cat("distance must be a non-negative number, got ", Quote(fields[col_distance])));
    }
    if (const auto [it, inserted] = first_line.emplace(name, line.number); !inserted) {
      return Bad(source, line.number, Cat("instance ", name, " repeats line ", it->second));
    }
    (*bks)[name] = Bks{static_cast<int>(vehicles), distance};
  }
  if (col_instance < 0) return Bad(source, last_line, "empty file: no header");
  return Status::Ok();
}

Status LoadBks(const std::string& csv_path, std::map<std::string, Bks>* bks) {
  std::string text;
  if (Status s = ReadFile(csv_path, &text); !s.ok()) return s;
  return ParseBks(text, csv_path, bks);
}

std::string FormatSolution(const VrpSolution& solution) {
  std::string out;
  int number = 0;
  for (const std::vector<int>& route : solution.routes) {
    if (route.empty()) continue;
    out += Cat("Route ", ++number, " :");
    for (int id : route) out += Cat(" ", id);
    out += "\n";
  }
  return out;
}

Status ParseSolution(std::string_view text, const std::string& source, VrpSolution* solution) {
  solution->routes.clear();
  bool in_routes = false;
  for (const Line& line : SplitLines(text)) {
    const std::string_view trimmed = Trim(line.text);
    if (trimmed.empty()) continue;
    const bool is_route = trimmed.size() > 5 && EqualsIgnoreCase(trimmed.substr(0, 5), "route") &&
                          (IsSpace(trimmed[5]) || trimmed[5] == '#' || (trimmed[5] >= '0' && trimmed[5] <= '9'));
    if (!is_route) {
      if (!in_routes) continue;  // a SINTEF header: "Instance name : lc101", "Solution", ...
      return Bad(source, line.number, Cat("expected 'Route N : id id ...', got ", Quote(trimmed)));
    }
    in_routes = true;
    const std::size_t colon = trimmed.find(':');
    if (colon == std::string_view::npos) {
      return Bad(source, line.number, Cat("expected ':' after the route number in ", Quote(trimmed)));
    }
    std::string_view label = Trim(trimmed.substr(5, colon - 5));
    if (!label.empty() && label.front() == '#') label.remove_prefix(1);
    int route_number = 0;
    if (const auto [ptr, ec] = std::from_chars(label.data(), label.data() + label.size(), route_number);
        label.empty() || ec != std::errc() || ptr != label.data() + label.size()) {
      return Bad(source, line.number, Cat("bad route number ", Quote(label)));
    }
    std::vector<int> route;
    for (std::string_view token : Tokens(trimmed.substr(colon + 1))) {
      int id = 0;
      const char* end = token.data() + token.size();
      if (const auto [ptr, ec] = std::from_chars(token.data(), end, id); ec != std::errc() || ptr != end) {
        return Bad(source, line.number, Cat(Quote(token), " is not a node id"));
      }
      route.push_back(id);
    }
    solution->routes.push_back(std::move(route));
  }
  return Status::Ok();
}

Status LoadSolution(const std::string& path, VrpSolution* solution) {
  std::string text;
  if (Status s = ReadFile(path, &text); !s.ok()) return s;
  return ParseSolution(text, path, solution);
}

}  // namespace meal::routing
