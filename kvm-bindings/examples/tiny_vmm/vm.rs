//! A VM: guest memory, in-kernel devices, VM-wide state, and the door to vCPUs.

use std::io;
use std::os::fd::OwnedFd;

use kvm_bindings::*;

use super::sys::{Mapping, get, invalid_input, ioctl, ioctl_with_mut_ref, ioctl_with_ref, owned};
use super::vcpu::Vcpu;
use kvm_bindings::ioctls::*;

/// A memory slot: host memory the guest sees at `guest_addr`.
struct MemorySlot {
    guest_addr: u64,
    host: Mapping,
}

/// A VM: its memory slots, in-kernel devices and VM-wide state.
pub struct Vm {
    // Declared before `memory`, so the VM is closed before its memory is unmapped.
    fd: OwnedFd,
    vcpu_mmap_size: usize,
    memory: Vec<MemorySlot>,
}

impl Vm {
    /// Wraps the descriptor `KVM_CREATE_VM` returned; `vcpu_mmap_size` is `KVM_GET_VCPU_MMAP_SIZE`.
    pub(super) fn new(fd: OwnedFd, vcpu_mmap_size: usize) -> Vm {
        Vm {
            fd,
            vcpu_mmap_size,
            memory: Vec::new(),
        }
    }

    /// `KVM_CHECK_EXTENSION` on the VM: some answers (like `KVM_CAP_XSAVE2`'s size) depend on the VM.
    pub fn check_extension(&self, cap: u32) -> io::Result<i32> {
        // SAFETY: the request takes the capability number by value.
        unsafe { ioctl(&self.fd, KVM_CHECK_EXTENSION, cap.into()) }
    }

    /// Maps `size` bytes of fresh zeroed memory at guest physical address `guest_addr` as the next slot
    /// (`KVM_SET_USER_MEMORY_REGION`).
    pub fn add_memory(&mut self, guest_addr: u64, size: usize) -> io::Result<()> {
        let host = Mapping::new(size, None)?;
        let region = kvm_userspace_memory_region {
            slot: self.memory.len() as u32,
            flags: 0,
            guest_phys_addr: guest_addr,
            memory_size: size as u64,
            userspace_addr: host.ptr.as_ptr() as u64,
        };
        // SAFETY: the request reads a `kvm_userspace_memory_region`. The host memory it names stays mapped until
        // `self.memory` drops, after `self.fd` has closed the VM.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_USER_MEMORY_REGION, &region) }?;
        self.memory.push(MemorySlot { guest_addr, host });
        Ok(())
    }

    /// The host address of `len` guest bytes at `guest_addr`, if one slot holds them all.
    fn host_range(&self, guest_addr: u64, len: usize) -> io::Result<*mut u8> {
        for slot in &self.memory {
            let Some(offset) = guest_addr.checked_sub(slot.guest_addr) else {
                continue;
            };
            if offset
                .checked_add(len as u64)
                .is_some_and(|end| end <= slot.host.len as u64)
            {
                // SAFETY: `offset + len` lies within the mapping, checked just above.
                return Ok(unsafe { slot.host.ptr.as_ptr().add(offset as usize) });
            }
        }
        Err(invalid_input(format!(
            "guest range {guest_addr:#x}+{len:#x} is not inside one memory slot"
        )))
    }

    /// Copies `data` into guest memory at `guest_addr`.
    pub fn write_memory(&mut self, guest_addr: u64, data: &[u8]) -> io::Result<()> {
        let host = self.host_range(guest_addr, data.len())?;
        // SAFETY: `host` has room for `data` (checked by `host_range`); guest memory is no Rust object, and no vCPU
        // runs meanwhile: `Vcpu` is neither `Send` nor `Sync`, so `KVM_RUN` only happens on this thread.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), host, data.len()) };
        Ok(())
    }

    /// Copies `len` bytes of guest memory at `guest_addr` out.
    pub fn read_memory(&self, guest_addr: u64, len: usize) -> io::Result<Vec<u8>> {
        let host = self.host_range(guest_addr, len)?;
        let mut data = vec![0; len];
        // SAFETY: as in `write_memory`, with `data` as the destination.
        unsafe { std::ptr::copy_nonoverlapping(host, data.as_mut_ptr(), len) };
        Ok(data)
    }

    /// `KVM_SET_TSS_ADDR`: three pages of guest physical address space that Intel VMX needs to run real mode
    /// without "unrestricted guest"; a no-op on AMD.
    pub fn set_tss_address(&self, guest_addr: u64) -> io::Result<()> {
        // SAFETY: the request takes the address by value.
        unsafe { ioctl(&self.fd, KVM_SET_TSS_ADDR, guest_addr as libc::c_ulong) }?;
        Ok(())
    }

    /// `KVM_CREATE_IRQCHIP`: in-kernel PICs, IOAPIC and (for vCPUs created later) local APICs.
    pub fn create_irqchip(&self) -> io::Result<()> {
        // SAFETY: the request takes no argument.
        unsafe { ioctl(&self.fd, KVM_CREATE_IRQCHIP, 0) }?;
        Ok(())
    }

    /// `KVM_GET_IRQCHIP` for `chip_id` (`KVM_IRQCHIP_PIC_MASTER`, `_PIC_SLAVE` or `_IOAPIC`).
    pub fn get_irqchip(&self, chip_id: u32) -> io::Result<kvm_irqchip> {
        let mut chip = kvm_irqchip {
            chip_id,
            ..Default::default()
        };
        // SAFETY: the request reads `chip_id` from and writes the chip's state into a `kvm_irqchip`.
        unsafe { ioctl_with_mut_ref(&self.fd, KVM_GET_IRQCHIP, &mut chip) }?;
        Ok(chip)
    }

    /// `KVM_SET_IRQCHIP`: the chip named by `chip.chip_id`.
    pub fn set_irqchip(&self, chip: &kvm_irqchip) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_irqchip`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_IRQCHIP, chip) }?;
        Ok(())
    }

    /// `KVM_CREATE_PIT2`: the in-kernel i8254 timer (needs the irqchip).
    pub fn create_pit2(&self, config: &kvm_pit_config) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_pit_config`.
        unsafe { ioctl_with_ref(&self.fd, KVM_CREATE_PIT2, config) }?;
        Ok(())
    }

    /// `KVM_GET_PIT2`.
    pub fn get_pit2(&self) -> io::Result<kvm_pit_state2> {
        // SAFETY: the request writes one `kvm_pit_state2`.
        unsafe { get(&self.fd, KVM_GET_PIT2) }
    }

    /// `KVM_SET_PIT2`.
    pub fn set_pit2(&self, state: &kvm_pit_state2) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_pit_state2`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_PIT2, state) }?;
        Ok(())
    }

    /// `KVM_GET_CLOCK`: the guest's kvmclock, in nanoseconds.
    pub fn get_clock(&self) -> io::Result<kvm_clock_data> {
        // SAFETY: the request writes one `kvm_clock_data`.
        unsafe { get(&self.fd, KVM_GET_CLOCK) }
    }

    /// `KVM_SET_CLOCK`.
    pub fn set_clock(&self, clock: &kvm_clock_data) -> io::Result<()> {
        // SAFETY: the request reads a `kvm_clock_data`.
        unsafe { ioctl_with_ref(&self.fd, KVM_SET_CLOCK, clock) }?;
        Ok(())
    }

    /// `KVM_CREATE_VCPU` with APIC ID `id`, and its `kvm_run` mapped.
    pub fn create_vcpu(&self, id: u32) -> io::Result<Vcpu> {
        // SAFETY: the request takes the vCPU id by value.
        let fd = owned(unsafe { ioctl(&self.fd, KVM_CREATE_VCPU, id.into()) }?);
        let run = Mapping::new(self.vcpu_mmap_size, Some(&fd))?;
        if run.len < size_of::<kvm_run>() {
            return Err(io::Error::other(format!(
                "KVM_GET_VCPU_MMAP_SIZE is {} bytes, less than the {} of kvm_run",
                run.len,
                size_of::<kvm_run>()
            )));
        }
        Ok(Vcpu::new(fd, run))
    }
}
