// The web client's files, served over HTTP: GET and HEAD of the files of one directory, read
// into memory once at start (a small, fixed set), with the content type by extension,
// revalidation by ETag (304), a gzip variant where the build made one (`NAME.gz`), and the
// page's security headers (CSP and friends). Nothing outside the directory is reachable: the
// request path is checked before any lookup, and only the files found at start can be answered.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sio/transport/http.hpp"

namespace parley::api {

struct StaticFilesOptions {
  std::size_t max_file_bytes = 8 * 1024 * 1024;    // larger files are skipped (with a warning)
  std::size_t max_total_bytes = 64 * 1024 * 1024;  // files past this total are skipped
  std::size_t max_files = 1000;
};

class StaticFiles final : public sio::transport::HttpEndpoint {
 public:
  // Reads the files under `root` now. A missing or unreadable directory gives an endpoint that
  // answers 404 to everything (logged once here), so the server still starts without the client.
  explicit StaticFiles(const std::filesystem::path& root, StaticFilesOptions options = {});

  void on_request(sio::transport::HttpRequest&& request, sio::transport::Responder respond) override;

  // The answer to `request`, synchronously (on_request calls this; so do the tests).
  sio::transport::HttpResponse answer(const sio::transport::HttpRequest& request) const;

  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const { return total_bytes_; }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string etag;                  // strong, from the content
    std::optional<std::string> gzip;   // the same content, gzip'd (smaller)
    std::string gzip_etag;
  };

  void load(const std::filesystem::path& root);
  void add(const std::string& relative, const std::filesystem::path& file);

  StaticFilesOptions options_;
  std::unordered_map<std::string, File> files_;  // key: relative path with '/' separators
  std::size_t total_bytes_ = 0;
};

// The file a request path names, relative to the served directory ("/" -> "index.html",
// "/a/" -> "a/index.html", "/app.js" -> "app.js"); percent-escapes are decoded first. nullopt
// for anything that could leave the directory or reach a hidden file: a `..` or `.` segment,
// a segment starting with '.', an empty segment ("//"), a backslash, a NUL or other control
// character, a bad percent-escape, a path not starting with '/', or one longer than 1024 bytes.
std::optional<std::string> resolve_request_path(std::string_view path);

// "text/javascript; charset=utf-8" for "app.js", ...; application/octet-stream when unknown.
std::string_view content_type_for(std::string_view file_name);

// Whether an Accept-Encoding header value accepts gzip (`gzip` or `*`, with a q above 0).
bool accepts_gzip(std::string_view accept_encoding);

// Whether an If-None-Match header value matches `etag` (weak comparison, `*` matches).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace parley::api
