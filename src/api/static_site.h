// The built web pages (the dispatch console and the operations dashboard),
// served from memory: read once from a directory at start-up, so a request
// can name only a file that was loaded and never reaches the disk.
//
// Routes (GET; no token, a page holds no data and asks for one itself):
//   /             302 to /console/
//   /console      301 to /console/ (and /dashboard likewise)
//   /console/     <dir>/console/index.html
//   /dashboard/   <dir>/dashboard/index.html
//   /assets/{f}   <dir>/assets/<f>, a regular file directly in assets/;
//                 404 for any other name
// Pages are sent with "Cache-Control: no-cache" (revalidated each time, so
// a new build shows at once) and a Content-Security-Policy that allows only
// the service's own origin; assets, whose names carry a hash of their
// content, with a year's "immutable". Both carry an ETag and answer a
// matching If-None-Match with 304.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "common/status.h"

namespace meal::api {

class StaticSite {
 public:
  // Reads the pages and every regular file directly in <dir>/assets/.
  // Returns NotFound naming the file when a page is missing (not built?),
  // IoError when a file cannot be read. Files over 16 MiB are refused: the
  // pages are small, and a mistaken directory should not fill memory.
  static Status Load(const std::string& dir, std::shared_ptr<const StaticSite>* out);

  // Adds the routes above; they share this site (kept alive by them).
  static void AddRoutes(std::shared_ptr<const StaticSite> site, Router& router);

  // The Content-Type for a file name, by extension; application/octet-stream
  // when unknown.
  static std::string_view ContentType(std::string_view file_name);

  std::size_t asset_count() const { return assets_.size(); }

 private:
  struct File {
    std::string body;
    std::string etag;  // quoted, as sent
    std::string content_type;
  };

  static Response Serve(const File& file, bool page, const Request& request);

  File console_;
  File dashboard_;
  std::map<std::string, File, std::less<>> assets_;
};

}  // namespace meal::api
