//! `/dev/kvm`: the system-wide ioctls, and the door to VMs.
//!
//! Every method of `Kvm`, `Vm` and `Vcpu` passes a kvm-bindings struct to the kernel as-is: if a struct's layout
//! disagreed with the kernel's, the values read back would be wrong, which is what the tests built on them look for.

use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;

use kvm_bindings::*;

use super::sys::{invalid_input, ioctl, owned};
use super::vm::Vm;
use kvm_bindings::ioctls::*;

/// Where the kernel exposes KVM.
pub const KVM_PATH: &str = "/dev/kvm";

/// An open `/dev/kvm`: the system-wide ioctls.
pub struct Kvm {
    fd: OwnedFd,
}

impl Kvm {
    /// Opens `/dev/kvm` for reading and writing.
    pub fn open() -> io::Result<Kvm> {
        Kvm::open_path(Path::new(KVM_PATH))
    }

    /// Opens the KVM device at `path` (close-on-exec, as Rust opens every file).
    pub fn open_path(path: &Path) -> io::Result<Kvm> {
        let file = File::options().read(true).write(true).open(path)?;
        Ok(Kvm { fd: file.into() })
    }

    /// `KVM_GET_API_VERSION`: 12 on every kernel since 2.6.22 (`KVM_API_VERSION`).
    pub fn api_version(&self) -> io::Result<i32> {
        // SAFETY: the request takes no argument.
        unsafe { ioctl(&self.fd, KVM_GET_API_VERSION, 0) }
    }

    /// `KVM_CHECK_EXTENSION`: 0 if the capability is absent, else 1 or a capability-specific number.
    pub fn check_extension(&self, cap: u32) -> io::Result<i32> {
        // SAFETY: the request takes the capability number by value.
        unsafe { ioctl(&self.fd, KVM_CHECK_EXTENSION, cap.into()) }
    }

    /// `KVM_GET_VCPU_MMAP_SIZE`: the size of the `kvm_run` mapping of each vCPU, pages of I/O data included.
    pub fn vcpu_mmap_size(&self) -> io::Result<usize> {
        // SAFETY: the request takes no argument.
        let size = unsafe { ioctl(&self.fd, KVM_GET_VCPU_MMAP_SIZE, 0) }?;
        Ok(size as usize)
    }

    /// `KVM_GET_SUPPORTED_CPUID`: the CPUID leaves KVM can give a guest.
    pub fn supported_cpuid(&self) -> io::Result<CpuId> {
        let mut cpuid = CpuId::new(KVM_MAX_CPUID_ENTRIES).map_err(|e| invalid_input(format!("CpuId: {e:?}")))?;
        // SAFETY: `cpuid` holds a `kvm_cpuid2` whose `nent` says how many entries follow it; the kernel writes at
        // most that many and lowers `nent` to the number written.
        unsafe {
            ioctl(
                &self.fd,
                KVM_GET_SUPPORTED_CPUID,
                cpuid.as_mut_fam_struct_ptr() as libc::c_ulong,
            )
        }?;
        Ok(cpuid)
    }

    /// `KVM_GET_MSR_INDEX_LIST`: the MSRs a VMM should save and restore.
    pub fn msr_index_list(&self) -> io::Result<MsrList> {
        let mut list = MsrList::new(KVM_MAX_MSR_ENTRIES).map_err(|e| invalid_input(format!("MsrList: {e:?}")))?;
        // SAFETY: `list` holds a `kvm_msr_list` whose `nmsrs` says how many indices follow it; the kernel writes at
        // most that many (it fails with E2BIG otherwise) and sets `nmsrs` to the number written.
        unsafe {
            ioctl(
                &self.fd,
                KVM_GET_MSR_INDEX_LIST,
                list.as_mut_fam_struct_ptr() as libc::c_ulong,
            )
        }?;
        Ok(list)
    }

    /// `KVM_CREATE_VM` with the default machine type.
    pub fn create_vm(&self) -> io::Result<Vm> {
        // SAFETY: the request takes the machine type by value.
        let fd = unsafe { ioctl(&self.fd, KVM_CREATE_VM, 0) }?;
        Ok(Vm::new(owned(fd), self.vcpu_mmap_size()?))
    }
}
