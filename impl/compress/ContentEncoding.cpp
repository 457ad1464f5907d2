#include "compress/ContentEncoding.hpp"

#include <string>

#include "common/Error.hpp"
#include "compress/StreamCodec.hpp"

namespace chc::compress {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

bool equalsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Identity sink: forwards bytes, but still refuses writes after finish() like the codecs do.
class IdentitySink final : public OutputSink {
 public:
  explicit IdentitySink(OutputSink& dest) : dest_(dest) {}
  void write(std::span<const uint8_t> src) override {
    if (finished_) throw Error(ErrorKind::InvalidState, "identity encoder used after finish()");
    dest_.write(src);
  }
  void finish() override {
    if (finished_) throw Error(ErrorKind::InvalidState, "identity encoder used after finish()");
    finished_ = true;
    dest_.finish();
  }

 private:
  OutputSink& dest_;
  bool finished_ = false;
};

}  // namespace

ContentEncoding parseContentEncoding(std::string_view value) {
  const std::string_view v = trim(value);
  if (v.empty() || equalsIgnoreCase(v, "identity")) return ContentEncoding::Identity;
  if (equalsIgnoreCase(v, "gzip") || equalsIgnoreCase(v, "x-gzip")) return ContentEncoding::Gzip;
  if (equalsIgnoreCase(v, "deflate")) return ContentEncoding::Deflate;
  if (equalsIgnoreCase(v, "lz4")) return ContentEncoding::Lz4;
  if (equalsIgnoreCase(v, "zstd")) return ContentEncoding::Zstd;
  if (v.find(',') != std::string_view::npos)
    throwUnsupported("unsupported Content-Encoding '" + std::string(v) + "': several encodings in sequence");
  throwUnsupported("unsupported Content-Encoding '" + std::string(v) +
                   "' (supported: gzip, deflate, lz4, zstd, identity)");
}

std::string_view contentEncodingName(ContentEncoding encoding) {
  switch (encoding) {
    case ContentEncoding::Identity: return "identity";
    case ContentEncoding::Gzip: return "gzip";
    case ContentEncoding::Deflate: return "deflate";
    case ContentEncoding::Lz4: return "lz4";
    case ContentEncoding::Zstd: return "zstd";
  }
  throwInvalid("invalid ContentEncoding value " + std::to_string(static_cast<int>(encoding)));
}

std::unique_ptr<InputStream> makeDecodingStream(ContentEncoding encoding, std::unique_ptr<InputStream> source) {
  if (!source) throwInvalid("makeDecodingStream needs a source stream");
  switch (encoding) {
    case ContentEncoding::Identity: return source;
    case ContentEncoding::Gzip: return detail::makeGzipDecoder(std::move(source));
    case ContentEncoding::Deflate: return detail::makeDeflateDecoder(std::move(source));
    case ContentEncoding::Lz4: return detail::makeLz4FrameDecoder(std::move(source));
    case ContentEncoding::Zstd: return detail::makeZstdDecoder(std::move(source));
  }
  throwInvalid("invalid ContentEncoding value " + std::to_string(static_cast<int>(encoding)));
}

std::unique_ptr<OutputSink> makeEncodingSink(ContentEncoding encoding, OutputSink& dest, int level) {
  switch (encoding) {
    case ContentEncoding::Identity: return std::make_unique<IdentitySink>(dest);
    case ContentEncoding::Gzip: return detail::makeGzipEncoder(dest, level);
    case ContentEncoding::Deflate: return detail::makeDeflateEncoder(dest, level);
    case ContentEncoding::Lz4: return detail::makeLz4FrameEncoder(dest, level);
    case ContentEncoding::Zstd: return detail::makeZstdEncoder(dest, level);
  }
  throwInvalid("invalid ContentEncoding value " + std::to_string(static_cast<int>(encoding)));
}

}  // namespace chc::compress
