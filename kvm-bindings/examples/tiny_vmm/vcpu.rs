//! A vCPU: `KVM_RUN` and the exits it reports through `kvm_run`, and the get/set ioctls of the vCPU's state.

use std::io;
use std::os::fd::OwnedFd;

use kvm_bindings::*;

use super::sys::{Mapping, get, invalid_input, ioctl, ioctl_with_mut_ref, ioctl_with_ref};
use kvm_bindings::ioctls::*;

/// Why `KVM_RUN` returned, as read from `kvm_run`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VcpuExit {
    /// The guest wrote `data` (the operand, little-endian, `count` times) to `port`.
    IoOut { port: u16, data: Vec<u8> },
    /// The guest read `size` bytes from `port`: this VMM emulates no input port.
    IoIn { port: u16, size: u8 },
    /// The guest executed HLT (only without an in-kernel local APIC, which waits for interrupts itself).
    Hlt,
    /// Any other `KVM_EXIT_*` reason.
    Other(u32),
}

/// A vCPU: its registers and other state, and the mapped `kvm_run` through which `KVM_RUN` reports exits.
pub struct Vcpu {
    // Declared before `run`: the vCPU closes before its `kvm_run` is unmapped.
    fd: OwnedFd,
    // Holding a raw pointer makes `Vcpu` neither `Send` nor `Sync`, which `Vm::write_memory` relies on.
    run: Mapping,
}

impl Vcpu {
    /// Wraps the descriptor `KVM_CREATE_VCPU` returned and its `kvm_run` mapping, at least a `kvm_run` long.
    pub(super) fn new(fd: OwnedFd, run: Mapping) -> Vcpu {
        Vcpu { fd, run }
    }

    /// The shared `kvm_run` page.
    pub fn kvm_run(&self) -> &kvm_run {
        // SAFETY: the mapping is at least `size_of::<kvm_run>()` bytes (checked in `create_vcpu`), page-aligned, and
        // every bit pattern is a valid `kvm_run`. The kernel writes it only during `KVM_RUN`, which needs `&mut self`.
        unsafe { self.run.ptr.cast::<kvm_run>().as_ref() }
    }

    /// The shared `kvm_run` page, to set fields such as `immediate_exit` before `KVM_RUN`.
    pub fn kvm_run_mut(&mut self) -> &mut kvm_run {
        // SAFETY: as in `kvm_run`; `&mut self` makes this the only reference.
        unsafe { self.run.ptr.cast::<kvm_run>().as_mut() }
    }

    /// `KVM_RUN` until the next exit to userspace, and decodes it.
    pub fn run(&mut self) -> io::Result<VcpuExit> {
        // SAFETY: the request takes no argument; the kernel writes only into the `kvm_run` mapping.
        unsafe { ioctl(&self.fd, KVM_RUN, 0) }?;
        let run = self.kvm_run();
        match run.exit_reason {
            KVM_EXIT_IO => {
                // SAFETY: for KVM_EXIT_IO the kernel filled the union's `io` member, plain integers.
                let io = unsafe { run.__bindgen_anon_1.io };
                let len = usize::from(io.size) * io.count as usize;
                if io.direction == KVM_EXIT_IO_IN as u8 {
                    return Ok(VcpuExit::IoIn {
                        port: io.port,
                        size: io.size,
                    });
                }
                let offset = io.data_offset as usize;
                if offset.checked_add(len).is_none_or(|end| end > self.run.len) {
                    return Err(io::Error::other(format!(
                        "KVM_EXIT_IO data {offset:#x}+{len:#x} is past kvm_run"
                    )));
                }
                // SAFETY: the data lies inside the mapping, checked just above.
                let data = unsafe { std::slice::from_raw_parts(self.run.ptr.as_ptr().add(offset), len) };
                Ok(VcpuExit::IoOut {
                    port: io.port,
                    data: data.to_vec(),
                })
            }
            KVM_EXIT_HLT => Ok(VcpuExit::Hlt),
            reason => Ok(VcpuExit::Other(reason)),
        }
    }

    /// Lets KVM finish the instruction of the last I/O exit without running the guest further, so that the state
    /// read next is consistent (the KVM API asks for this before saving state after `KVM_EXIT_IO`): `KVM_RUN` with
    /// `immediate_exit` set returns `EINTR` once that is done.
    pub fn complete_pending_io(&mut self) -> io::Result<()> {
        self.kvm_run_mut().immediate_exit = 1;
        // SAFETY: the request takes no argument.
        let result = unsafe { ioctl(&self.fd, KVM_RUN, 0) };
        self.kvm_run_mut().immediate_exit = 0;
        match result {
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => Ok(()),
            Err(e) => Err(e),
            Ok(_) => Err(io::Error::other("KVM_RUN with immediate_exit set did not return EINTR")),
        }
    }

    /// `KVM_GET_REGS`.
    pub fn get_regs(&self) -> io::Result<kvm_regs> {
        // SAFETY: the request writes one `kvm_regs`.
        unsafe { get(&self.fd, KVM_GET_REGS) }
    }

    /// `KVM_SET_REGS`.
    pub fn set_regs(&self, regs: &kvm_regs) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_regs`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_REGS, regs) }?;
        Ok(())
    }

    /// `KVM_GET_SREGS`.
    pub fn get_sregs(&self) -> io::Result<kvm_sregs> {
        // SAFETY: the request writes one `kvm_sregs`.
        unsafe { get(&self.fd, KVM_GET_SREGS) }
    }

    /// `KVM_SET_SREGS`.
    pub fn set_sregs(&self, sregs: &kvm_sregs) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_sregs`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_SREGS, sregs) }?;
        Ok(())
    }

    /// `KVM_GET_FPU`.
    pub fn get_fpu(&self) -> io::Result<kvm_fpu> {
        // SAFETY: the request writes one `kvm_fpu`.
        unsafe { get(&self.fd, KVM_GET_FPU) }
    }

    /// `KVM_SET_FPU`.
    pub fn set_fpu(&self, fpu: &kvm_fpu) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_fpu`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_FPU, fpu) }?;
        Ok(())
    }

    /// The XSAVE area: `KVM_GET_XSAVE2` sized by `xsave2_size` (what `KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2)` returned
    /// on the VM) when that is non-zero, else the legacy 4 KiB `KVM_GET_XSAVE`.
    pub fn get_xsave(&self, xsave2_size: usize) -> io::Result<Xsave> {
        if xsave2_size == 0 {
            // SAFETY: the request writes one `kvm_xsave` (its 4 KiB region; `extra` is empty).
            let legacy: kvm_xsave = unsafe { get(&self.fd, KVM_GET_XSAVE) }?;
            return Xsave::from_header(kvm_xsave2::from(legacy)).map_err(|e| invalid_input(format!("Xsave: {e:?}")));
        }
        let region = size_of::<kvm_xsave>();
        if xsave2_size < region {
            return Err(invalid_input(format!(
                "KVM_CAP_XSAVE2 size {xsave2_size} is below the {region}-byte region"
            )));
        }
        let extra = (xsave2_size - region).div_ceil(size_of::<u32>());
        let mut xsave = Xsave::new(extra).map_err(|e| invalid_input(format!("Xsave: {e:?}")))?;
        // SAFETY: only the pointer is taken; `len` is not changed.
        let area = unsafe { &mut xsave.as_mut_fam_struct().xsave } as *mut kvm_xsave;
        // SAFETY: KVM writes `xsave2_size` bytes from `area`: the 4 KiB region and `extra` u32s, which the wrapper
        // allocated right after it.
        unsafe { ioctl(&self.fd, KVM_GET_XSAVE2, area as libc::c_ulong) }?;
        Ok(xsave)
    }

    /// `KVM_SET_XSAVE`: KVM reads as many bytes as `KVM_CAP_XSAVE2` reports, so `xsave` must be at least that long:
    /// one from `get_xsave` of a VM with the same CPUID is.
    pub fn set_xsave(&self, xsave: &Xsave, xsave2_size: usize) -> io::Result<()> {
        let have = size_of::<kvm_xsave>() + size_of_val(xsave.as_slice());
        if have < xsave2_size {
            return Err(invalid_input(format!(
                "the XSAVE area has {have} bytes, KVM reads {xsave2_size}"
            )));
        }
        let area = &xsave.as_fam_struct_ref().xsave;
        // SAFETY: KVM reads at most `xsave2_size` bytes (4 KiB without XSAVE2) from `area`, and `have` bytes
        // are there: the region and the entries the wrapper keeps right after it.
        unsafe { ioctl(&self.fd, KVM_SET_XSAVE, area as *const kvm_xsave as libc::c_ulong) }?;
        Ok(())
    }

    /// `KVM_GET_XCRS`.
    pub fn get_xcrs(&self) -> io::Result<kvm_xcrs> {
        // SAFETY: the request writes one `kvm_xcrs`.
        unsafe { get(&self.fd, KVM_GET_XCRS) }
    }

    /// `KVM_SET_XCRS`.
    pub fn set_xcrs(&self, xcrs: &kvm_xcrs) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_xcrs`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_XCRS, xcrs) }?;
        Ok(())
    }

    /// `KVM_GET_LAPIC` (needs the in-kernel irqchip).
    pub fn get_lapic(&self) -> io::Result<kvm_lapic_state> {
        // SAFETY: the request writes one `kvm_lapic_state`.
        unsafe { get(&self.fd, KVM_GET_LAPIC) }
    }

    /// `KVM_SET_LAPIC`.
    pub fn set_lapic(&self, lapic: &kvm_lapic_state) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_lapic_state`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_LAPIC, lapic) }?;
        Ok(())
    }

    /// `KVM_GET_VCPU_EVENTS`: pending exceptions, interrupts, NMIs and SMIs.
    pub fn get_vcpu_events(&self) -> io::Result<kvm_vcpu_events> {
        // SAFETY: the request writes one `kvm_vcpu_events`.
        unsafe { get(&self.fd, KVM_GET_VCPU_EVENTS) }
    }

    /// `KVM_SET_VCPU_EVENTS`.
    pub fn set_vcpu_events(&self, events: &kvm_vcpu_events) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_vcpu_events`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_VCPU_EVENTS, events) }?;
        Ok(())
    }

    /// `KVM_GET_MP_STATE`.
    pub fn get_mp_state(&self) -> io::Result<kvm_mp_state> {
        // SAFETY: the request writes one `kvm_mp_state`.
        unsafe { get(&self.fd, KVM_GET_MP_STATE) }
    }

    /// `KVM_SET_MP_STATE`.
    pub fn set_mp_state(&self, state: &kvm_mp_state) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_mp_state`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_MP_STATE, state) }?;
        Ok(())
    }

    /// `KVM_GET_DEBUGREGS`.
    pub fn get_debugregs(&self) -> io::Result<kvm_debugregs> {
        // SAFETY: the request writes one `kvm_debugregs`.
        unsafe { get(&self.fd, KVM_GET_DEBUGREGS) }
    }

    /// `KVM_SET_DEBUGREGS`.
    pub fn set_debugregs(&self, regs: &kvm_debugregs) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_debugregs`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_DEBUGREGS, regs) }?;
        Ok(())
    }

    /// `KVM_GET_MSRS`: fills the `data` of each entry of `msrs` in order, stopping at the first MSR KVM cannot read;
    /// returns how many it read.
    pub fn get_msrs(&self, msrs: &mut Msrs) -> io::Result<usize> {
        // SAFETY: `msrs` holds a `kvm_msrs` whose `nmsrs` entries follow it; KVM writes the `data` of at most those.
        let read = unsafe { ioctl(&self.fd, KVM_GET_MSRS, msrs.as_mut_fam_struct_ptr() as libc::c_ulong) }?;
        Ok(read as usize)
    }

    /// `KVM_SET_MSRS`: writes the entries in order, stopping at the first MSR KVM refuses; returns how many it wrote.
    pub fn set_msrs(&self, msrs: &Msrs) -> io::Result<usize> {
        // SAFETY: `msrs` holds a `kvm_msrs` whose `nmsrs` entries follow it; KVM only reads them.
        let written = unsafe { ioctl(&self.fd, KVM_SET_MSRS, msrs.as_fam_struct_ptr() as libc::c_ulong) }?;
        Ok(written as usize)
    }

    /// `KVM_SET_CPUID2`: the CPUID the guest sees. Set it before the first `KVM_RUN`.
    pub fn set_cpuid2(&self, cpuid: &CpuId) -> io::Result<()> {
        // SAFETY: `cpuid` holds a `kvm_cpuid2` whose `nent` entries follow it; KVM only reads them.
        unsafe { ioctl(&self.fd, KVM_SET_CPUID2, cpuid.as_fam_struct_ptr() as libc::c_ulong) }?;
        Ok(())
    }

    /// `KVM_GET_CPUID2`: the CPUID set by `set_cpuid2`.
    pub fn get_cpuid2(&self) -> io::Result<CpuId> {
        let mut cpuid = CpuId::new(KVM_MAX_CPUID_ENTRIES).map_err(|e| invalid_input(format!("CpuId: {e:?}")))?;
        // SAFETY: as for `Kvm::supported_cpuid`: KVM writes at most `nent` entries and lowers `nent` to match.
        unsafe { ioctl(&self.fd, KVM_GET_CPUID2, cpuid.as_mut_fam_struct_ptr() as libc::c_ulong) }?;
        Ok(cpuid)
    }

    /// `KVM_GET_NESTED_STATE` into a buffer that fits both VMX's and SVM's state; needs `KVM_CAP_NESTED_STATE`.
    pub fn get_nested_state(&self) -> io::Result<KvmNestedStateBuffer> {
        let mut buffer = KvmNestedStateBuffer::empty();
        // SAFETY: `buffer.size` tells KVM how large the buffer is; KVM writes no more than that.
        unsafe { ioctl_with_mut_ref(&self.fd, KVM_GET_NESTED_STATE, &mut buffer) }?;
        Ok(buffer)
    }

    /// `KVM_SET_NESTED_STATE`.
    pub fn set_nested_state(&self, state: &KvmNestedStateBuffer) -> io::Result<()> {
        // SAFETY: KVM reads at most `state.size` bytes, which the buffer's type always has room for.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_NESTED_STATE, state) }?;
        Ok(())
    }

    /// `KVM_GET_TSC_KHZ`: the guest's TSC frequency.
    pub fn get_tsc_khz(&self) -> io::Result<u32> {
        // SAFETY: the request takes no argument and returns the frequency.
        let khz = unsafe { ioctl(&self.fd, KVM_GET_TSC_KHZ, 0) }?;
        Ok(khz as u32)
    }

    /// `KVM_SET_TSC_KHZ`: scales the guest's TSC (needs `KVM_CAP_TSC_CONTROL`).
    pub fn set_tsc_khz(&self, khz: u32) -> io::Result<()> {
        // SAFETY: the request takes the frequency by value.
        unsafe { ioctl(&self.fd, KVM_SET_TSC_KHZ, khz.into()) }?;
        Ok(())
    }
}
