// The portal's files (static_files.h) from a real directory: what is served
// and with which headers, the single-page fallback, and every way out of
// the root refused (dot segments, encoded or not, and symlinks).
#include "hdhub/server/static_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hdhub/common/status_matchers.h"

namespace hdhub::server {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kSecret = "outside-the-root-7f3a";

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) /
            ("static-files-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(base_);
    root_ = base_ / "dist";
    fs::create_directories(root_ / "assets");
    Write(root_ / "index.html", "<!doctype html><title>portal</title>");
    Write(root_ / "assets" / "app-1a2b.js", "console.log(1)");
    Write(root_ / "assets" / "app-1a2b.css", "body{}");
    Write(root_ / "logo.svg", "<svg/>");
    Write(root_ / ".env", std::string(kSecret));
    Write(base_ / "secret.txt", std::string(kSecret));
    fs::create_symlink(base_ / "secret.txt", root_ / "out.txt");
    fs::create_symlink(base_, root_ / "up");
    fs::create_symlink(root_ / "logo.svg", root_ / "in.svg");
    auto files = StaticFiles::Create(root_);
    ASSERT_TRUE(files.ok()) << files.status();
    files_ = std::move(*files);
  }
  void TearDown() override { fs::remove_all(base_); }

  static void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
  HttpResponse Get(const std::string& target, const std::string& method = "GET") {
    return files_->Serve(HttpRequest{.method = method, .target = target, .request_id = "0123456789abcdef"});
  }
  static std::string Header(const HttpResponse& r, const std::string& name) {
    for (const auto& [key, value] : r.headers) {
      if (key == name) return value;
    }
    return "";
  }

  fs::path base_, root_;
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirTypesAndCaching) {
  HttpResponse r = Get("/");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("<title>portal</title>"));
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
  r = Get("/assets/app-1a2b.js?v=1");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r.body, "console.log(1)");
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/assets/app-1a2b.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get("/logo.svg").content_type, "image/svg+xml");
  EXPECT_EQ(Get("/logo.svg").body, "<svg/>");
  EXPECT_EQ(Get("/in.svg").status, 200u);  // a symlink inside the root
  EXPECT_EQ(Get("/index.html", "HEAD").status, 200u);
  EXPECT_EQ(ContentTypeFor("archive.tar.unknown"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("dir.d/noext"), "application/octet-stream");
}

TEST_F(StaticFilesTest, UnknownPathsWithoutADotAreTheApplications) {
  for (const char* route : {"/register", "/fr/register", "/register/", "/projects/p1?lang=fr"}) {
    const HttpResponse r = Get(route);
    EXPECT_EQ(r.status, 200u) << route;
    EXPECT_THAT(r.body, HasSubstr("<title>portal</title>")) << route;
    EXPECT_EQ(Header(r, "Cache-Control"), "no-store") << route;
  }
  EXPECT_EQ(Get("/missing.png").status, 404u);
  EXPECT_EQ(Get("/assets/missing.js").status, 404u);
}

TEST_F(StaticFilesTest, NothingOutsideTheRootIsRead) {
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
                             "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/out.txt",
                             "/up/secret.txt", "/.env", "/%2eenv", "/assets/..\\..\\secret.txt", "/%00secret.txt"}) {
    const HttpResponse r = Get(target);
    EXPECT_THAT(r.body, Not(HasSubstr(std::string(kSecret)))) << target;
    EXPECT_NE(r.status, 200u) << target;
  }
  EXPECT_EQ(Get("/%zz").status, 400u);
  EXPECT_EQ(Get("/%2").status, 400u);
}

TEST_F(StaticFilesTest, EveryAnswerCarriesTheSecurityHeaders) {
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/"}, {"GET", "/assets/app-1a2b.js"}, {"GET", "/missing.png"}, {"GET", "/%zz"}, {"POST", "/"}}) {
    const HttpResponse r = Get(target, method);
    const std::string csp = Header(r, "Content-Security-Policy");
    EXPECT_THAT(csp, HasSubstr("default-src 'self'")) << target;
    EXPECT_THAT(csp, HasSubstr("script-src 'self';")) << target;
    EXPECT_THAT(csp, Not(HasSubstr("unsafe-inline"))) << target;
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'")) << target;
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff") << target;
    EXPECT_EQ(Header(r, "Referrer-Policy"), "no-referrer") << target;
    EXPECT_EQ(Header(r, "Strict-Transport-Security"), "max-age=31536000") << target;
    EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY") << target;
  }
}

TEST_F(StaticFilesTest, OnlyGetAndHead) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    const HttpResponse r = Get("/index.html", method);
    EXPECT_EQ(r.status, 405u) << method;
    EXPECT_EQ(Header(r, "Allow"), "GET, HEAD");
  }
}

TEST_F(StaticFilesTest, ApiPathsAreNotThePortals) {
  EXPECT_FALSE(StaticFiles::IsPortalTarget("/api/v1/health"));
  EXPECT_FALSE(StaticFiles::IsPortalTarget("/api"));
  EXPECT_FALSE(StaticFiles::IsPortalTarget("/api?x=1"));
  EXPECT_TRUE(StaticFiles::IsPortalTarget("/"));
  EXPECT_TRUE(StaticFiles::IsPortalTarget("/apiary"));
  EXPECT_TRUE(StaticFiles::IsPortalTarget("/register"));
}

TEST(StaticFilesCreateTest, TheRootMustBeADirectoryWithAnIndex) {
  const fs::path dir = fs::path(::testing::TempDir()) / "static-files-empty";
  fs::remove_all(dir);
  fs::create_directories(dir);
  EXPECT_THAT(StaticFiles::Create(dir).status(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("index.html")));
  EXPECT_THAT(StaticFiles::Create(dir / "missing").status(), StatusIs(StatusCode::kFailedPrecondition));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hdhub::server
