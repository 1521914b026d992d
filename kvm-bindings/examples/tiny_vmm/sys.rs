//! The system calls under the VMM: `ioctl` with typed arguments, and `mmap`ped memory.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;

/// Issues `ioctl(fd, request, arg)`; a negative return becomes the `errno` it set.
///
/// # Safety
/// `arg` must be what `request` expects: for a request that takes a pointer, the address of a live object of the
/// request's argument type (and as large as the kernel will read or write), writable if the kernel writes to it.
pub(super) unsafe fn ioctl(fd: &OwnedFd, request: libc::c_ulong, arg: libc::c_ulong) -> io::Result<libc::c_int> {
    // SAFETY: `fd` is an open descriptor; the caller vouches for `arg`.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), request as _, arg) };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Issues a request that reads the object at `arg`.
///
/// # Safety
/// `request` must take a pointer to a `T` that the kernel only reads.
pub(super) unsafe fn ioctl_with_ref<T>(fd: &OwnedFd, request: libc::c_ulong, arg: &T) -> io::Result<libc::c_int> {
    // SAFETY: `arg` is a live `T`, which is what the caller says `request` reads.
    unsafe { ioctl(fd, request, arg as *const T as libc::c_ulong) }
}

/// Issues a request that writes (or reads and writes) the object at `arg`.
///
/// # Safety
/// `request` must take a pointer to a `T` and access no more than `size_of::<T>()` bytes from it.
pub(super) unsafe fn ioctl_with_mut_ref<T>(
    fd: &OwnedFd,
    request: libc::c_ulong,
    arg: &mut T,
) -> io::Result<libc::c_int> {
    // SAFETY: `arg` is a live, exclusively borrowed `T`, which is what the caller says `request` accesses.
    unsafe { ioctl(fd, request, arg as *mut T as libc::c_ulong) }
}

/// Issues a request that fills a fresh `T`: the "get" half of a get/set pair.
///
/// # Safety
/// `request` must write at most one `T` through its pointer argument. Every `T` used here is plain data, for which
/// any bytes the kernel writes are a valid value.
pub(super) unsafe fn get<T: Default>(fd: &OwnedFd, request: libc::c_ulong) -> io::Result<T> {
    let mut value = T::default();
    // SAFETY: forwarded from the caller.
    unsafe { ioctl_with_mut_ref(fd, request, &mut value) }?;
    Ok(value)
}

/// An error for input that the caller got wrong, rather than one the kernel reported.
pub(super) fn invalid_input(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Takes ownership of a descriptor that an ioctl just returned.
pub(super) fn owned(fd: libc::c_int) -> OwnedFd {
    // SAFETY: KVM_CREATE_VM and KVM_CREATE_VCPU return a new descriptor that nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// An anonymous, private mapping: guest memory or a vCPU's `kvm_run`.
pub(super) struct Mapping {
    pub(super) ptr: NonNull<u8>,
    pub(super) len: usize,
}

impl Mapping {
    /// Maps `len` bytes of zeroed memory, or of `fd` from offset 0 if given.
    pub(super) fn new(len: usize, fd: Option<&OwnedFd>) -> io::Result<Mapping> {
        let (flags, raw_fd) = match fd {
            Some(fd) => (libc::MAP_SHARED, fd.as_raw_fd()),
            None => (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE, -1),
        };
        // SAFETY: a new mapping at an address of the kernel's choosing aliases no Rust object.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                flags,
                raw_fd,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let ptr = NonNull::new(ptr.cast()).ok_or_else(|| io::Error::other("mmap returned a null address"))?;
        Ok(Mapping { ptr, len })
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are a mapping this struct made and owns; no reference into it outlives `self`.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}
