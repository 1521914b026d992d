//! The guests: hand-assembled 16-bit real-mode code, loaded at `LOAD_ADDR` with CS = 0.
//!
//! `FIBONACCI` greets on the serial port, computes Fibonacci numbers (mod 2^16) into memory, reports progress every
//! 16 numbers, then reports a checksum of the table on `DONE_PORT` and halts. Its state lives in general-purpose
//! registers, on its stack and in memory, so only a complete snapshot lets it finish correctly elsewhere.

/// Guest physical address where the code is loaded and starts (CS:IP = 0000:1000).
pub const LOAD_ADDR: u64 = 0x1000;
/// Size of the guest's RAM, mapped at guest physical address 0.
pub const MEMORY_SIZE: usize = 0x1_0000;
/// Guest physical address of `FIBONACCI`'s table: `TABLE_LEN` little-endian `u16`s, F(0) first.
pub const TABLE_ADDR: u64 = 0x2000;
/// The number of Fibonacci numbers `FIBONACCI` computes.
pub const TABLE_LEN: usize = 128;
/// The first serial port (COM1): each byte written to it is a character of output.
pub const SERIAL_PORT: u16 = 0x3f8;
/// `FIBONACCI` writes its 16-bit checksum here when done (QEMU's isa-debug-exit port).
pub const DONE_PORT: u16 = 0xf4;

/// The Fibonacci guest, with its strings at the addresses its `mov si, …` instructions name.
#[rustfmt::skip]
pub const FIBONACCI: &[u8] = &[
    // 1000: set up a stack below 0x8000 and greet.
    0x31, 0xc0,             // xor  ax, ax
    0x8e, 0xd0,             // mov  ss, ax
    0xbc, 0x00, 0x80,       // mov  sp, 0x8000
    0xba, 0xf8, 0x03,       // mov  dx, 0x3f8          ; SERIAL_PORT, kept in dx until the end
    0xbe, 0x94, 0x10,       // mov  si, 0x1094         ; "Hello from the guest\n"
    0xe8, 0x5f, 0x00,       // call 0x106f             ; puts
    // 1010: F(0) = 0, F(1) = 1; di points at F(i-2), cx = i.
    0xbf, 0x00, 0x20,       // mov  di, 0x2000         ; TABLE_ADDR
    0xc7, 0x05, 0x00, 0x00, // mov  word [di], 0
    0xc7, 0x45, 0x02, 0x01, 0x00, // mov word [di+2], 1
    0xb9, 0x02, 0x00,       // mov  cx, 2
    // 101f fib: F(i) = F(i-2) + F(i-1)
    0x8b, 0x05,             // mov  ax, [di]
    0x03, 0x45, 0x02,       // add  ax, [di+2]
    0x89, 0x45, 0x04,       // mov  [di+4], ax
    0x83, 0xc7, 0x02,       // add  di, 2
    0xf6, 0xc1, 0x0f,       // test cl, 0x0f           ; every 16th number: report progress
    0x75, 0x17,             // jnz  0x1046             ; next
    0xbe, 0xaa, 0x10,       // mov  si, 0x10aa         ; "fib "
    0xe8, 0x3a, 0x00,       // call 0x106f             ; puts
    0x91,                   // xchg ax, cx
    0xe8, 0x41, 0x00,       // call 0x107a             ; puthex i
    0x91,                   // xchg ax, cx
    0xbe, 0xaf, 0x10,       // mov  si, 0x10af         ; " = "
    0xe8, 0x2f, 0x00,       // call 0x106f             ; puts
    0xe8, 0x37, 0x00,       // call 0x107a             ; puthex F(i)
    0xb0, 0x0a,             // mov  al, '\n'
    0xee,                   // out  dx, al
    // 1046 next:
    0x41,                   // inc  cx
    0x81, 0xf9, 0x80, 0x00, // cmp  cx, 128            ; TABLE_LEN
    0x72, 0xd2,             // jb   0x101f             ; fib
    // 104d: bx = sum of the table's words
    0xbe, 0x00, 0x20,       // mov  si, 0x2000
    0x31, 0xdb,             // xor  bx, bx
    0xb9, 0x80, 0x00,       // mov  cx, 128
    0xad,                   // lodsw                   ; 1055
    0x01, 0xc3,             // add  bx, ax
    0xe2, 0xfb,             // loop 0x1055
    0xbe, 0xb3, 0x10,       // mov  si, 0x10b3         ; "checksum "
    0xe8, 0x0f, 0x00,       // call 0x106f             ; puts
    0x89, 0xd8,             // mov  ax, bx
    0xe8, 0x15, 0x00,       // call 0x107a             ; puthex
    0xb0, 0x0a,             // mov  al, '\n'
    0xee,                   // out  dx, al
    0xba, 0xf4, 0x00,       // mov  dx, 0xf4           ; DONE_PORT
    0x89, 0xd8,             // mov  ax, bx             ; (al held the newline)
    0xef,                   // out  dx, ax             ; the checksum, 16 bits
    0xf4,                   // hlt
    // 106f puts: write the NUL-terminated string at si; keeps ax.
    0x50,                   // push ax
    0xac,                   // lodsb                   ; 1070
    0x84, 0xc0,             // test al, al
    0x74, 0x03,             // jz   0x1078
    0xee,                   // out  dx, al
    0xeb, 0xf8,             // jmp  0x1070
    0x58,                   // pop  ax                 ; 1078
    0xc3,                   // ret
    // 107a puthex: write ax as 4 lowercase hex digits; keeps ax and cx.
    0x50,                   // push ax
    0x51,                   // push cx
    0xb9, 0x04, 0x00,       // mov  cx, 4
    0xc1, 0xc0, 0x04,       // rol  ax, 4              ; 107f: next digit into al's low nibble
    0x50,                   // push ax
    0x24, 0x0f,             // and  al, 0x0f
    0x04, 0x30,             // add  al, '0'
    0x3c, 0x39,             // cmp  al, '9'
    0x76, 0x02,             // jbe  0x108d
    0x04, 0x27,             // add  al, 'a' - '9' - 1
    0xee,                   // out  dx, al             ; 108d
    0x58,                   // pop  ax
    0xe2, 0xee,             // loop 0x107f
    0x59,                   // pop  cx
    0x58,                   // pop  ax
    0xc3,                   // ret
    // 1094 .. 10bd: the strings.
    b'H', b'e', b'l', b'l', b'o', b' ', b'f', b'r', b'o', b'm', b' ', b't', b'h', b'e', b' ',
    b'g', b'u', b'e', b's', b't', b'\n', 0,
    b'f', b'i', b'b', b' ', 0,
    b' ', b'=', b' ', 0,
    b'c', b'h', b'e', b'c', b'k', b's', b'u', b'm', b' ', 0,
];

// The strings start where the code says they do: 0x94 bytes of code, then 22 + 5 + 4 + 10 bytes of strings.
const _: () = assert!(FIBONACCI.len() == 0x94 + 22 + 5 + 4 + 10);
const _: () = assert!(FIBONACCI[0x94] == b'H' && FIBONACCI[0xaa] == b'f' && FIBONACCI[0xaf] == b' ');
const _: () = assert!(FIBONACCI[0xb3] == b'c');

/// A guest that echoes registers set from outside: it writes ax, then bx, to the port in dx, then halts.
#[rustfmt::skip]
pub const ECHO_AX_BX: &[u8] = &[
    0xef,                   // out  dx, ax
    0x89, 0xd8,             // mov  ax, bx
    0xef,                   // out  dx, ax
    0xf4,                   // hlt
];

/// What `FIBONACCI` writes to the serial port, computed here independently of the guest.
pub fn expected_fibonacci_output() -> String {
    let table = expected_fibonacci_table();
    let mut output = String::from("Hello from the guest\n");
    for (i, value) in table.iter().enumerate().skip(2) {
        if i % 16 == 0 {
            output += &format!("fib {i:04x} = {value:04x}\n");
        }
    }
    output + &format!("checksum {:04x}\n", expected_fibonacci_checksum())
}

/// The table `FIBONACCI` leaves in memory: F(0) .. F(127) mod 2^16.
pub fn expected_fibonacci_table() -> Vec<u16> {
    let mut table = vec![0u16, 1];
    while table.len() < TABLE_LEN {
        let next = table[table.len() - 2].wrapping_add(table[table.len() - 1]);
        table.push(next);
    }
    table
}

/// The checksum `FIBONACCI` reports on `DONE_PORT`: the wrapping sum of its table.
pub fn expected_fibonacci_checksum() -> u16 {
    expected_fibonacci_table()
        .iter()
        .fold(0u16, |sum, &x| sum.wrapping_add(x))
}
