#include "api/static_site.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace meal::api {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("static-site-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    Write("console/index.html", "<!doctype html><title>console</title>");
    Write("dashboard/index.html", "<!doctype html><title>dashboard</title>");
    Write("assets/console-ABC123.js", "console.log(1);");
    Write("assets/console-ABC123.css", "body{}");
    Write("assets/.hidden.js", "secret");
    Write("secret.txt", "outside the assets folder");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  Router Load() {
    std::shared_ptr<const StaticSite> site;
    const Status s = StaticSite::Load(dir_.string(), &site);
    EXPECT_TRUE(s.ok()) << s.ToString();
    Router router;
    if (site) StaticSite::AddRoutes(site, router);
    return router;
  }

  static Response Get(const Router& router, const std::string& target, std::string if_none_match = "") {
    Request req;
    req.method = "GET";
    EXPECT_TRUE(ParseTarget(target, req).ok()) << target;
    if (!if_none_match.empty()) req.headers["If-None-Match"] = if_none_match;
    return router.Dispatch(req);
  }

  fs::path dir_;
};

TEST_F(StaticSiteTest, RootRedirectsToTheConsole) {
  const Router router = Load();
  const Response r = Get(router, "/");
  EXPECT_EQ(r.status, 302u);
  EXPECT_EQ(HeaderOf(r, "Location"), "/console/");
  EXPECT_EQ(Get(router, "/console").status, 301u);
  EXPECT_EQ(HeaderOf(Get(router, "/dashboard"), "Location"), "/dashboard/");
}

TEST_F(StaticSiteTest, PagesAreHtmlRevalidatedEachTimeWithAPolicyOfTheirOwnOrigin) {
  const Router router = Load();
  for (const char* page : {"console", "dashboard"}) {
    const Response r = Get(router, std::string("/") + page + "/");
    ASSERT_EQ(r.status, 200u) << page;
    EXPECT_THAT(r.body, HasSubstr(std::string("<title>") + page));
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
    EXPECT_THAT(HeaderOf(r, "Content-Security-Policy"), HasSubstr("default-src 'self'"));
    EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(HeaderOf(r, "ETag").empty());
  }
}

TEST_F(StaticSiteTest, AssetsHaveTheirTypeAndAreCachedForGood) {
  const Router router = Load();
  const Response js = Get(router, "/assets/console-ABC123.js");
  ASSERT_EQ(js.status, 200u);
  EXPECT_EQ(js.body, "console.log(1);");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(js, "Cache-Control"), "public, max-age=31536000, immutable");
  const Response css = Get(router, "/assets/console-ABC123.css");
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
}

TEST_F(StaticSiteTest, AMatchingETagIsAnsweredWithNotModified) {
  const Router router = Load();
  const Response first = Get(router, "/assets/console-ABC123.js");
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  const Response again = Get(router, "/assets/console-ABC123.js", "\"other\", W/" + etag);
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get(router, "/console/", "\"other\"").status, 200u);
}

TEST_F(StaticSiteTest, UnknownHiddenAndTraversingNamesAreNotFound) {
  const Router router = Load();
  for (const char* target : {"/assets/nope.js", "/assets/.hidden.js", "/assets/..%2Fsecret.txt",
                             "/assets/%2e%2e%2fsecret.txt", "/assets/..%2Fconsole%2Findex.html",
                             "/assets/../secret.txt", "/secret.txt", "/console/index.html", "/assets/"}) {
    const Response r = Get(router, target);
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("outside"))) << target;
  }
}

TEST_F(StaticSiteTest, AMissingPageFailsTheLoadNamingIt) {
  fs::remove(dir_ / "dashboard/index.html");
  std::shared_ptr<const StaticSite> site;
  const Status s = StaticSite::Load(dir_.string(), &site);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("dashboard/index.html"));
  EXPECT_EQ(site, nullptr);
}

TEST(StaticSiteContentTypeTest, ByExtension) {
  EXPECT_EQ(StaticSite::ContentType("a.svg"), "image/svg+xml");
  EXPECT_EQ(StaticSite::ContentType("a.png"), "image/png");
  EXPECT_EQ(StaticSite::ContentType("a.woff2"), "font/woff2");
  EXPECT_EQ(StaticSite::ContentType("a.js.map"), "application/json");
  EXPECT_EQ(StaticSite::ContentType("a.exe"), "application/octet-stream");
  EXPECT_EQ(StaticSite::ContentType(".js"), "application/octet-stream");
}

}  // namespace
}  // namespace meal::api
