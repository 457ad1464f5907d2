// HTTP Content-Encoding codecs (spec §7.1): streaming decoders for response bodies and streaming
// encoders for request bodies. All run in bounded memory (fixed-size internal buffers).
#pragma once

#include <memory>
#include <string_view>

#include "common/ByteStream.hpp"

namespace chc::compress {

enum class ContentEncoding { Identity, Gzip, Deflate, Lz4, Zstd };

// Parses a Content-Encoding header value: case-insensitive, surrounding spaces/tabs ignored,
// "" and "identity" -> Identity, "x-gzip" -> Gzip. Throws Error(Unsupported) naming the encoding for
// anything else (br, xz, bz2, snappy, a list of several encodings, unknown names).
ContentEncoding parseContentEncoding(std::string_view value);

// The header token: "identity", "gzip", "deflate", "lz4", "zstd".
std::string_view contentEncodingName(ContentEncoding encoding);

// Pulls compressed bytes from `source` and yields the decoded bytes. Identity returns `source`.
// gzip: one or more concatenated members. deflate: a zlib (RFC 1950) stream, or a raw RFC 1951
// stream when the zlib header is absent. lz4: one or more LZ4 frames. zstd: one or more frames.
// A body of zero bytes decodes to zero bytes for every encoding (an empty response carries no
// stream); a stream that stops inside a member/frame, or corrupt data, throws Error(Protocol).
std::unique_ptr<InputStream> makeDecodingStream(ContentEncoding encoding, std::unique_ptr<InputStream> source);

// Compresses everything written into `dest` (not owned; must outlive the sink). finish() ends the
// compressed stream, then calls dest.finish(). level -1 = the codec's default (gzip/deflate 6,
// zstd 3, lz4 0 = fast); otherwise gzip/deflate 0..9, lz4 0..12 (>= 3 is LZ4HC), zstd any level
// zstd accepts; others throw Error(InvalidArgument). Identity forwards bytes unchanged.
// zstd frames carry a content checksum (cheap xxh64); lz4 frames do not (see Lz4FrameCodec.cpp).
std::unique_ptr<OutputSink> makeEncodingSink(ContentEncoding encoding, OutputSink& dest, int level = -1);

}  // namespace chc::compress
