#include "api/static_site.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace meal::api {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

// Only the service's own origin: scripts, styles, API calls and the
// WebSocket stream ('self' covers ws: and wss: on the same host).
constexpr const char* kPagePolicy =
    "default-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

std::string QuotedHash(std::string_view data) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64 bits
  for (const char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(h));
  return text;
}

Status ReadFile(const fs::path& path, std::string* out) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Status::Io(path.string() + ": " + ec.message());
  if (size > kMaxFileBytes) return Status::Invalid(path.string() + ": larger than 16 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(path.string() + ": cannot be opened");
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::Io(path.string() + ": read failed");
  return Status::Ok();
}

// True iff an If-None-Match header value lists `etag` (weak or strong) or is "*".
bool Matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

Response Redirect(unsigned status, std::string location) {
  Response r;
  r.status = status;
  r.content_type = "";
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

}  // namespace

std::string_view StaticSite::ContentType(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (name.size() > ext.size() && name.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

Status StaticSite::Load(const std::string& dir, std::shared_ptr<const StaticSite>* out) {
  auto site = std::make_shared<StaticSite>();
  const fs::path root(dir);
  for (auto [file, page] : {std::pair{&site->console_, "console"}, std::pair{&site->dashboard_, "dashboard"}}) {
    const fs::path path = root / page / "index.html";
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      return Status::NotFound(path.string() + " does not exist (are the web pages built? see web/README.md)");
    }
    if (Status s = ReadFile(path, &file->body); !s.ok()) return s;
    file->etag = QuotedHash(file->body);
    file->content_type = ContentType("index.html");
  }
  std::error_code ec;
  const fs::path assets = root / "assets";
  if (fs::is_directory(assets, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(assets, ec)) {
      // Symbolic links are followed only to regular files; names starting
      // with a dot (editor and OS leftovers) are not served.
      const std::string name = entry.path().filename().string();
      if (name.empty() || name.front() == '.' || !entry.is_regular_file(ec)) continue;
      File file;
      if (Status s = ReadFile(entry.path(), &file.body); !s.ok()) return s;
      file.etag = QuotedHash(file.body);
      file.content_type = ContentType(name);
      site->assets_.emplace(name, std::move(file));
    }
    if (ec) return Status::Io(assets.string() + ": " + ec.message());
  }
  *out = std::move(site);
  return Status::Ok();
}

Response StaticSite::Serve(const File& file, bool page, const Request& request) {
  Response r;
  r.headers.emplace_back("ETag", file.etag);
  r.headers.emplace_back("Cache-Control", page ? "no-cache" : "public, max-age=31536000, immutable");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (page) {
    r.headers.emplace_back("Content-Security-Policy", kPagePolicy);
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  if (Matches(request.header("If-None-Match"), file.etag)) {
    r.status = 304;
    r.content_type = "";
    return r;
  }
  r.content_type = file.content_type;
  r.body = file.body;
  return r;
}

void StaticSite::AddRoutes(std::shared_ptr<const StaticSite> site, Router& router) {
  router.Add("GET", "/", [](const Request&) { return Redirect(302, "/console/"); });
  router.Add("GET", "/console", [](const Request&) { return Redirect(301, "/console/"); });
  router.Add("GET", "/dashboard", [](const Request&) { return Redirect(301, "/dashboard/"); });
  router.Add("GET", "/console/", [site](const Request& req) { return Serve(site->console_, true, req); });
  router.Add("GET", "/dashboard/", [site](const Request& req) { return Serve(site->dashboard_, true, req); });
  router.Add("GET", "/assets/{file}", [site](const Request& req) {
    // The decoded name is only a key: "../x" or "a/b" is simply not among them.
    const auto it = site->assets_.find(req.path_params.at("file"));
    if (it == site->assets_.end()) return Error(404, "no such file");
    return Serve(it->second, false, req);
  });
}

}  // namespace meal::api
