// ClickHouse's own compressed framing (spec §7.2): the body of `compress=1` responses and
// `decompress=1` requests. Each frame: 16-byte CityHash128 v1.0.2 checksum, method byte,
// UInt32 LE compressed size (incl. the 9-byte header), UInt32 LE uncompressed size, payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/ByteStream.hpp"
#include "compress/CityHash128.hpp"

namespace chc::compress {

enum class BlockMethod : uint8_t { None = 0x02, Lz4 = 0x82, Zstd = 0x90 };

// Size limits the server enforces (DBMS_MAX_COMPRESSED_SIZE); we enforce them before allocating.
inline constexpr uint32_t kMaxCompressedBlockSize = 1u << 30;
inline constexpr uint32_t kMaxUncompressedBlockSize = 1u << 30;
inline constexpr size_t kBlockHeaderSize = 9;  // method + two sizes, covered by the checksum
inline constexpr size_t kBlockChecksumSize = 16;

// Decodes a stream of frames and yields the concatenated payloads; frame boundaries are invisible
// to the reader. Errors: Protocol for truncation, bad sizes, checksum mismatch and payloads that
// do not decode to the stated size; Unsupported for a method byte other than 0x02/0x82/0x90.
// Memory: one compressed and one decompressed frame (both reused); the compressed buffer grows
// only as bytes actually arrive, so a lying size field cannot force a large allocation.
std::unique_ptr<InputStream> makeNativeBlockDecoder(std::unique_ptr<InputStream> source);

// Cuts the written bytes into frames of frame_size uncompressed bytes (the last may be shorter)
// using one method for all frames, as the server requires. finish() writes the last frame and
// calls dest.finish(); no input means no frame. `dest` is not owned and must outlive the sink.
// frame_size must be 1 .. 512 MiB. level -1 = default (LZ4 fast, zstd 3); LZ4 levels >= 3 use LZ4HC
// (same method byte); None ignores the level.
std::unique_ptr<OutputSink> makeNativeBlockEncoder(BlockMethod method, OutputSink& dest, size_t frame_size = 1 << 20,
                                                   int level = -1);

}  // namespace chc::compress
