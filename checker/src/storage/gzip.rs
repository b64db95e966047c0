//! Gzip for derived files in S3: history views are JSON that packs to a
//! small fraction of its size (BENCHMARKS.md). Stored with
//! `Content-Encoding: gzip`, the browser unpacks it by itself, so the page
//! reads it unchanged.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

/// What an object may unpack to at most: far above any view (64 MB is the
/// page's own limit), low enough that a hostile object cannot exhaust memory.
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

pub fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 8), Compression::default());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .expect("writing to memory cannot fail")
}

/// Unpacks `bytes`, refusing more than `limit` bytes of output.
pub fn decompress(bytes: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    GzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("it is marked gzip but does not unpack ({e})"))?;
    if out.len() as u64 > limit {
        return Err(format!("it unpacks to more than {limit} bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_shrinks_json() {
        let json = format!("[{}]", vec!["{\"n\":1,\"down\":0}"; 10_000].join(","));
        let packed = compress(json.as_bytes());
        assert!(packed.len() * 20 < json.len(), "{} bytes", packed.len());
        assert_eq!(decompress(&packed, MAX_UNPACKED).unwrap(), json.as_bytes());
        assert_eq!(decompress(&compress(b""), 0).unwrap(), b"");
    }

    #[test]
    fn refuses_what_is_not_gzip_and_what_unpacks_too_far() {
        let e = decompress(b"{\"plain\": true}", MAX_UNPACKED).unwrap_err();
        assert!(e.contains("does not unpack"), "{e}");
        let mut truncated = compress(&[b'x'; 100_000]);
        truncated.truncate(truncated.len() / 2);
        assert!(decompress(&truncated, MAX_UNPACKED).is_err());
        let bomb = compress(&vec![0; 1_000_000]);
        let e = decompress(&bomb, 999_999).unwrap_err();
        assert!(e.contains("more than 999999 bytes"), "{e}");
        assert_eq!(decompress(&bomb, 1_000_000).unwrap().len(), 1_000_000);
    }
}
