#include "api/static_files.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <vector>

#include <spdlog/spdlog.h>

namespace parley::api {

namespace fs = std::filesystem;
using sio::transport::HttpRequest;
using sio::transport::HttpResponse;
using sio::transport::Responder;

namespace {

// The page loads only its own files and talks only to its own origin. Chromium (like the CSP 3
// specification) lets 'self' match ws:/wss: of the page's host and port, so Socket.IO's
// WebSocket upgrade needs no extra source; the browser tests check that it happens.
constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

void add_security_headers(HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy", std::string(content_security_policy));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
}

HttpResponse json_error(unsigned status, std::string_view message) {
  HttpResponse r = HttpResponse::json(status, "{\"error\":\"" + std::string(message) + "\"}");
  add_security_headers(r);
  return r;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A name a request may reach: not hidden, no separator or control character.
bool servable_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == '\\' || c == '/';
  });
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A strong validator from the bytes: FNV-1a 64 and the length, enough to tell versions apart.
std::string etag_of(std::string_view body, std::string_view suffix = {}) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : body) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%016llx-%zx", static_cast<unsigned long long>(hash), body.size());
  return std::string(buf) + std::string(suffix) + "\"";
}

// Whether `path` (canonical) is `root` (canonical) or below it.
bool within(const fs::path& root, const fs::path& path) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // the trailing empty element of "/srv/web/"
    if (p == path.end() || *r != *p) return false;
  }
  return true;
}

std::optional<std::string> read_file(const fs::path& path, std::size_t max_bytes) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec || size > max_bytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string body(size, '\0');
  in.read(body.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) return std::nullopt;
  return body;
}

}  // namespace

std::optional<std::string> resolve_request_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > 1024) return std::nullopt;
  std::string decoded;
  decoded.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return std::nullopt;
      int hi = hex_value(path[i + 1]), lo = hex_value(path[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    decoded += c;
  }
  // Split after decoding, so that an escaped "/" or "." is judged like a plain one.
  std::string relative;
  std::string_view rest = std::string_view(decoded).substr(1);
  while (true) {
    auto slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (slash == std::string_view::npos) {
      if (segment.empty()) {
        relative += "index.html";  // "/" or "/dir/"
      } else {
        if (!servable_name(segment)) return std::nullopt;
        relative += segment;
      }
      return relative;
    }
    if (!servable_name(segment)) return std::nullopt;  // "", ".", "..", ".git", "a\b"
    relative += segment;
    relative += '/';
    rest.remove_prefix(slash + 1);
  }
}

std::string_view content_type_for(std::string_view file_name) {
  auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext = lower(file_name.substr(dot + 1));
  static const std::pair<std::string_view, std::string_view> types[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"wasm", "application/wasm"},
      {"gz", "application/gzip"},
  };
  for (const auto& [extension, type] : types) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

bool accepts_gzip(std::string_view accept_encoding) {
  bool star = false, gzip = false, gzip_refused = false;
  while (!accept_encoding.empty()) {
    auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    auto semicolon = item.find(';');
    std::string coding = lower(trim(item.substr(0, semicolon)));
    bool refused = false;
    if (semicolon != std::string_view::npos) {
      std::string parameter = lower(trim(item.substr(semicolon + 1)));
      // q=0, q=0.0, q=0.000: refused; any other weight accepts.
      if (parameter.rfind("q=", 0) == 0) {
        std::string_view q = std::string_view(parameter).substr(2);
        refused = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (coding == "gzip" || coding == "x-gzip") (refused ? gzip_refused : gzip) = true;
    if (coding == "*" && !refused) star = true;
  }
  return gzip || (star && !gzip_refused);
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    tag = trim(tag);
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
  };
  std::string_view wanted = opaque(etag);
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    std::string_view tag = trim(if_none_match.substr(0, comma));
    if_none_match = comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    if (tag == "*" || (!tag.empty() && opaque(tag) == wanted)) return true;
  }
  return false;
}

StaticFiles::StaticFiles(const fs::path& root, StaticFilesOptions options) : options_(options) { load(root); }

void StaticFiles::load(const fs::path& root_given) {
  std::error_code ec;
  fs::path root = fs::canonical(root_given, ec);
  if (ec || !fs::is_directory(root, ec)) {
    spdlog::warn("web client: no directory at {}; / answers 404 (build the parley target, or set --static-dir)",
                 root_given.string());
    return;
  }
  // Walk the tree. Symbolic links are followed only to places inside the root (a link to
  // /etc/passwd is skipped); each directory is entered once, so link cycles end.
  std::vector<std::pair<fs::path, std::string>> pending{{root, ""}};
  std::set<fs::path> entered{root};
  std::vector<std::pair<std::string, fs::path>> found;
  while (!pending.empty()) {
    auto [dir, prefix] = std::move(pending.back());
    pending.pop_back();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (!servable_name(name)) continue;
      std::error_code target_ec;
      fs::path target = fs::canonical(it->path(), target_ec);
      if (target_ec) continue;
      if (!within(root, target)) {
        spdlog::warn("web client: skipping {}, a link to {} outside {}", it->path().string(), target.string(), root.string());
        continue;
      }
      if (fs::is_directory(target, target_ec)) {
        if (entered.insert(target).second) pending.emplace_back(target, prefix + name + "/");
      } else if (fs::is_regular_file(target, target_ec)) {
        found.emplace_back(prefix + name, target);
      }
    }
  }
  // Plain files first, so that "x.gz" can attach itself to "x" as its gzip variant.
  std::sort(found.begin(), found.end());
  std::set<std::string> names;
  for (const auto& entry : found) names.insert(entry.first);
  std::vector<std::pair<std::string, fs::path>> variants;
  for (const auto& [relative, path] : found) {
    if (ends_with(relative, ".gz") && names.count(relative.substr(0, relative.size() - 3))) {
      variants.emplace_back(relative.substr(0, relative.size() - 3), path);
      continue;
    }
    add(relative, path);
  }
  for (const auto& [relative, path] : variants) {
    auto it = files_.find(relative);
    if (it == files_.end()) continue;
    auto gzip = read_file(path, options_.max_file_bytes);
    if (!gzip || gzip->size() >= it->second.body.size() || gzip->size() < 18) continue;  // 18: gzip's frame
    if (static_cast<unsigned char>((*gzip)[0]) != 0x1f || static_cast<unsigned char>((*gzip)[1]) != 0x8b) continue;
    if (total_bytes_ + gzip->size() > options_.max_total_bytes) continue;
    total_bytes_ += gzip->size();
    it->second.gzip_etag = etag_of(it->second.body, "-gz");
    it->second.gzip = std::move(*gzip);
  }
  spdlog::info("web client: {} files ({} bytes) from {}", files_.size(), total_bytes_, root.string());
}

void StaticFiles::add(const std::string& relative, const fs::path& path) {
  if (files_.size() >= options_.max_files) {
    spdlog::warn("web client: skipping {}: more than {} files", path.string(), options_.max_files);
    return;
  }
  auto body = read_file(path, options_.max_file_bytes);
  if (!body) {
    spdlog::warn("web client: skipping {}: unreadable or over {} bytes", path.string(), options_.max_file_bytes);
    return;
  }
  if (total_bytes_ + body->size() > options_.max_total_bytes) {
    spdlog::warn("web client: skipping {}: the files would pass {} bytes", path.string(), options_.max_total_bytes);
    return;
  }
  total_bytes_ += body->size();
  File file;
  file.content_type = std::string(content_type_for(relative));
  file.etag = etag_of(*body);
  file.body = std::move(*body);
  files_.emplace(relative, std::move(file));
}

HttpResponse StaticFiles::answer(const HttpRequest& request) const {
  bool head = request.method == "HEAD";
  if (request.method != "GET" && !head) {
    HttpResponse r = json_error(405, "Use GET");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  auto relative = resolve_request_path(request.path());
  auto it = relative ? files_.find(*relative) : files_.end();
  if (it == files_.end()) return json_error(404, "Not found");

  const File& file = it->second;
  bool gzip = file.gzip && accepts_gzip(request.header("accept-encoding"));
  const std::string& etag = gzip ? file.gzip_etag : file.etag;
  HttpResponse r;
  r.content_type = file.content_type;
  add_security_headers(r);
  r.headers.emplace_back("ETag", etag);
  // Every file is revalidated on every load (a 304 when unchanged): the web client is a set of
  // ES modules that import each other by unfingerprinted names, so a cached module of the last
  // version beside a fresh one of this version would break the page after a deploy.
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (file.gzip) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (etag_matches(request.header("if-none-match"), etag)) {
    r.status = 304;
    return r;
  }
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.status = 200;
  // HEAD is answered like GET: the transport sends the headers (with this length) only.
  r.body = gzip ? *file.gzip : file.body;
  return r;
}

void StaticFiles::on_request(HttpRequest&& request, Responder respond) { respond(answer(request)); }

}  // namespace parley::api
