//! Page-aligned buffers and values.
//!
//! On this project's AMD host a 4 KiB memcpy runs about 25× slower when the destination sits 16 bytes past a 4 KiB
//! boundary relative to the source (the CPU mistakes the loads for reads of the stores just made: "4K aliasing"),
//! and two back-to-back 4 KiB `Vec` allocations land exactly there. Starting every source and destination on a page
//! boundary makes the memcpy baseline, and the comparison between two implementations, independent of malloc.
//!
//! It cannot fix what the formats do after our code returns: bincode and vmm-sys-util move a decoded value between
//! stack temporaries, and where the compiler puts those decides whether a 4 KiB move runs at memcpy speed or 25 times
//! slower. The benchmark's control column (the same decode compiled and timed twice) shows when that happened.

/// The alignment of every buffer and value the benchmark copies from or into.
pub const PAGE: usize = 4096;

/// Where encoders write, relative to a page boundary. The values they encode start on one, and a format writes a
/// length before the bytes: with a page-aligned destination the bytes would land 1 to 3 bytes past their source
/// modulo 4 KiB, the worst case. Half a page away is the typical case, and the same for every candidate.
pub const HALF_PAGE: usize = PAGE / 2;

/// A zero-initialized byte buffer whose first byte is page-aligned.
///
/// It over-allocates a `Vec` by a page and starts at the first page boundary inside it: no `unsafe`, and moving the
/// buffer keeps the alignment (the heap block does not move).
pub struct AlignedBuf {
    storage: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBuf {
    /// `len` zero bytes.
    pub fn zeroed(len: usize) -> Self {
        let storage = vec![0; len + PAGE];
        let start = (PAGE - storage.as_ptr().addr() % PAGE) % PAGE;
        AlignedBuf { storage, start, len }
    }

    /// `len` zero bytes starting `offset` bytes past a page boundary.
    pub fn zeroed_at(offset: usize, len: usize) -> Self {
        let mut buffer = AlignedBuf::zeroed(offset + len);
        buffer.start += offset;
        buffer.len = len;
        buffer
    }

    /// A copy of `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let mut buffer = AlignedBuf::zeroed(bytes.len());
        buffer.as_mut_slice().copy_from_slice(bytes);
        buffer
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.storage[self.start..self.start + self.len]
    }

    /// The bytes, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + self.len]
    }
}

/// A value that starts on a page boundary (box it: `Box::new(PageAligned(value))`), so that encoding ours and
/// 0.14.2's copies from the same offset within a page.
#[repr(C, align(4096))]
pub struct PageAligned<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_start_on_a_page_and_hold_the_bytes() {
        // Several sizes, so that some land where malloc would not have page-aligned them.
        for len in [1, 15, 144, 4096, 4104, 11016] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let buffer = AlignedBuf::from_bytes(&bytes);
            assert_eq!(buffer.as_slice().as_ptr().addr() % PAGE, 0, "length {len}");
            assert_eq!(buffer.as_slice(), &bytes[..]);
        }
        let buffer = AlignedBuf::zeroed_at(HALF_PAGE, 10);
        assert_eq!(buffer.as_slice().as_ptr().addr() % PAGE, HALF_PAGE);
        assert_eq!(buffer.as_slice(), [0; 10]);
    }

    #[test]
    fn boxed_values_start_on_a_page() {
        let values: Vec<Box<PageAligned<[u64; 3]>>> = (0..4).map(|i| Box::new(PageAligned([i; 3]))).collect();
        for (i, value) in values.iter().enumerate() {
            assert_eq!((&value.0 as *const [u64; 3]).addr() % PAGE, 0);
            assert_eq!(value.0, [i as u64; 3]);
        }
    }
}
