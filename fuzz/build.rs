fn main() {
    darts_build::link_libtorch();
}
