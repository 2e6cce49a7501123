fn main() {
    bound_allocator_memory();
    std::process::exit(ruqsat::cli::run());
}

/// glibc keeps a freed large block (an Argon2 check's 19 MiB, a PDF being signed) in the
/// arena of the thread that used it once its dynamic mmap threshold has grown, so a server
/// with many threads holds many such blocks. A fixed 1 MiB threshold makes every large block
/// an mmap that is returned on free, and 4 arenas bound the per-thread heaps.
fn bound_allocator_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; it is called once, before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}
