//! Compression bombs: a few hundred KiB on the wire, hundreds of MiB once inflated.

use std::io::Write;

/// A gzip member inflating to `len` zero bytes (hand-built deflate, about 1:1000).
pub fn gzip_zeros(len: u64) -> Vec<u8> {
    kawal_fixture::gzip::zeros(len)
}

/// A brotli stream inflating to `len` zero bytes.
pub fn brotli_zeros(len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 1 << 16, 1, 24);
        let zeros = vec![0u8; 1 << 20];
        let mut left = len;
        while left > 0 {
            let n = left.min(zeros.len());
            w.write_all(&zeros[..n]).expect("compress");
            left -= n;
        }
    }
    out
}
