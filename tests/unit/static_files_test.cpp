// The web client's file server: which request paths may name a file, and what is answered for
// the files of a real temporary directory (links out of it, hidden files, gzip, 304, HEAD).
#include "api/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace {

namespace fs = std::filesystem;
using parley::api::accepts_gzip;
using parley::api::content_type_for;
using parley::api::etag_matches;
using parley::api::resolve_request_path;
using parley::api::StaticFiles;
using sio::transport::HttpRequest;
using sio::transport::HttpResponse;

TEST(ResolveRequestPath, MapsPathsToFilesInTheDirectory) {
  EXPECT_EQ(resolve_request_path("/"), "index.html");
  EXPECT_EQ(resolve_request_path("/app.js"), "app.js");
  EXPECT_EQ(resolve_request_path("/img/"), "img/index.html");
  EXPECT_EQ(resolve_request_path("/img/logo.svg"), "img/logo.svg");
  EXPECT_EQ(resolve_request_path("/a%20b.txt"), "a b.txt");
  EXPECT_EQ(resolve_request_path("/%61pp.js"), "app.js");
  EXPECT_EQ(resolve_request_path("/img%2Flogo.svg"), "img/logo.svg");  // an escaped '/' is a '/'
  EXPECT_EQ(resolve_request_path("/x..y"), "x..y");                    // dots inside a name are fine
}

TEST(ResolveRequestPath, RefusesWhatCouldLeaveTheDirectory) {
  for (const char* path : {"/..", "/../etc/passwd", "/a/../../etc/passwd", "/a/..", "/%2e%2e/etc/passwd",
                           "/%2E%2E%2Fetc%2Fpasswd", "/a%2F..%2F..%2Fx", "/./index.html", "/.", "/%2e"}) {
    EXPECT_EQ(resolve_request_path(path), std::nullopt) << path;
  }
}

TEST(ResolveRequestPath, RefusesHiddenFilesAndOddNames) {
  for (const char* path : {"/.env", "/.git/config", "/a/.secret", "/%2egit/HEAD", "//etc/passwd", "/a//b",
                           "/a\\..\\b", "/a%5c..%5cb", "/a%00.js", "/a%0a", "/a%7f", "/%", "/a%2", "/a%zz", "",
                           "index.html", "app.js"}) {
    EXPECT_EQ(resolve_request_path(path), std::nullopt) << path;
  }
  EXPECT_EQ(resolve_request_path("/" + std::string(1030, 'a')), std::nullopt);
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("socket.io.esm.min.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("style.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("a/logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("icon.png"), "image/png");
  EXPECT_EQ(content_type_for("font.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("Makefile"), "application/octet-stream");
  EXPECT_EQ(content_type_for("x.unknown"), "application/octet-stream");
}

TEST(AcceptEncoding, Gzip) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br, zstd"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000, *"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
}

TEST(IfNoneMatch, WeakComparison) {
  EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("*", "\"abc\""));
  EXPECT_FALSE(etag_matches("", "\"abc\""));
  EXPECT_FALSE(etag_matches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches("abc", "\"abc\""));
}

// A directory of web files, and one outside it that links must not reach.
class StaticFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    base_ = fs::temp_directory_path() / ("parley-static-" + std::to_string(random()));
    root_ = base_ / "web";
    fs::create_directories(root_ / "img");
    fs::create_directories(root_ / ".git");
    fs::create_directories(base_ / "outside");
    write(root_ / "index.html", "<!doctype html><title>t</title>");
    write(root_ / "app.js", std::string(2000, 'x'));
    write(root_ / "img" / "logo.svg", "<svg/>");
    write(root_ / ".env", "SECRET=1");
    write(root_ / ".git" / "config", "[core]");
    write(base_ / "outside" / "secret.txt", "top secret");
    fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "leak.txt");
    fs::create_directory_symlink(base_ / "outside", root_ / "leakdir");
    fs::create_symlink(root_ / "img" / "logo.svg", root_ / "alias.svg");
    fs::create_directory_symlink(root_, root_ / "img" / "loop");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }

  static HttpRequest get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {},
                         std::string method = "GET") {
    HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers = std::move(headers);
    return r;
  }

  static std::string header(const HttpResponse& r, std::string_view name) {
    for (const auto& [key, value] : r.headers) {
      if (key == name) return value;
    }
    return {};
  }

  fs::path base_, root_;
};

TEST_F(StaticFilesTest, ServesThePageWithItsSecurityHeaders) {
  StaticFiles files(root_);
  auto r = files.answer(get("/"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "<!doctype html><title>t</title>");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  EXPECT_NE(header(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_NE(header(r, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
  EXPECT_FALSE(header(r, "ETag").empty());

  auto js = files.answer(get("/app.js?v=1"));
  EXPECT_EQ(js.status, 200u);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  // A module is revalidated like the page: old and new modules never mix after a deploy.
  EXPECT_EQ(header(js, "Cache-Control"), "no-cache");
  EXPECT_EQ(files.answer(get("/img/logo.svg")).body, "<svg/>");
}

TEST_F(StaticFilesTest, NeverLeavesTheDirectoryNorShowsHiddenFiles) {
  StaticFiles files(root_);
  for (const char* target : {"/leak.txt", "/leakdir/secret.txt", "/.env", "/.git/config", "/%2eenv",
                             "/../outside/secret.txt", "/img/../../outside/secret.txt", "/nope.js", "/img"}) {
    auto r = files.answer(get(target));
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_EQ(r.body, R"({"error":"Not found"})") << target;
    EXPECT_EQ(r.content_type, "application/json");
  }
  // A link that stays inside is followed; a link back to the root is entered only once.
  EXPECT_EQ(files.answer(get("/alias.svg")).body, "<svg/>");
  EXPECT_EQ(files.answer(get("/img/loop/app.js")).status, 404u);
  EXPECT_EQ(files.file_count(), 4u);  // index.html, app.js, img/logo.svg, alias.svg
}

TEST_F(StaticFilesTest, AnswersGetAndHeadOnly) {
  StaticFiles files(root_);
  auto head = files.answer(get("/app.js", {}, "HEAD"));
  EXPECT_EQ(head.status, 200u);
  // Answered like GET; the transport sends the headers and the body's length only.
  EXPECT_EQ(head.body, files.answer(get("/app.js")).body);
  EXPECT_EQ(header(head, "ETag"), header(files.answer(get("/app.js")), "ETag"));
  auto post = files.answer(get("/", {}, "POST"));
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(header(post, "Allow"), "GET, HEAD");
}

TEST_F(StaticFilesTest, RevalidatesWithETag) {
  StaticFiles files(root_);
  std::string etag = header(files.answer(get("/app.js")), "ETag");
  auto r = files.answer(get("/app.js", {{"if-none-match", etag}}));
  EXPECT_EQ(r.status, 304u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(header(r, "ETag"), etag);
  EXPECT_EQ(files.answer(get("/app.js", {{"if-none-match", "\"other\""}})).status, 200u);
}

TEST_F(StaticFilesTest, ServesTheGzipTwinToBrowsersThatTakeIt) {
  // A gzip member of 20 bytes stands in for the build's NAME.gz (only the magic is checked).
  std::string gz = "\x1f\x8b\x08" + std::string(17, '\0');
  write(root_ / "app.js.gz", gz);
  StaticFiles files(root_);
  auto plain = files.answer(get("/app.js"));
  EXPECT_EQ(plain.body.size(), 2000u);
  EXPECT_EQ(header(plain, "Content-Encoding"), "");
  EXPECT_EQ(header(plain, "Vary"), "Accept-Encoding");
  auto zipped = files.answer(get("/app.js", {{"accept-encoding", "gzip, deflate, br"}}));
  EXPECT_EQ(zipped.body, gz);
  EXPECT_EQ(header(zipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(zipped.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(header(zipped, "ETag"), header(plain, "ETag"));
  EXPECT_EQ(files.answer(get("/app.js", {{"accept-encoding", "gzip"}, {"if-none-match", header(zipped, "ETag")}})).status,
            304u);
  // The twin is not a file of its own.
  EXPECT_EQ(files.answer(get("/app.js.gz")).status, 404u);
}

TEST_F(StaticFilesTest, SkipsFilesOverTheLimit) {
  StaticFiles files(root_, {.max_file_bytes = 1000});
  EXPECT_EQ(files.answer(get("/app.js")).status, 404u);
  EXPECT_EQ(files.answer(get("/")).status, 200u);
}

TEST(StaticFiles, AMissingDirectoryAnswers404) {
  StaticFiles files("/nonexistent/parley/web");
  EXPECT_EQ(files.file_count(), 0u);
  HttpRequest request;
  request.method = "GET";
  request.target = "/";
  EXPECT_EQ(files.answer(request).status, 404u);
}

}  // namespace
