fn main() {
    std::process::exit(ruqsat::cli::run());
}
