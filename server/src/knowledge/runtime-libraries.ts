/**
 * Run-time libraries of build-time (`-dev`, `-devel`) packages, per distribution release: what a runtime stage
 * that drops the headers installs instead so that a program linked against them still finds its shared libraries
 * (`libpq-dev` → `libpq5`, `openssl-dev` → `libssl3 libcrypto3`, `openssl-devel` → `openssl-libs`). Names differ
 * between releases (Debian trixie and Ubuntu noble renamed many libraries for the 64-bit time_t transition:
 * `libssl3` → `libssl3t64`), so every table is for one release; each says where its names come from and when
 * they were checked. A `-dev` package a table does not list is not known, and the recipes decline and name it.
 */

/** The Debian releases of the shared Debian table, in the order of its columns. */
export const RUNTIME_LIB_RELEASES = ['bookworm', 'bullseye', 'trixie'] as const;
export type DebianRelease = (typeof RUNTIME_LIB_RELEASES)[number];
export const ALPINE_RELEASES = ['alpine3.19', 'alpine3.20', 'alpine3.21', 'alpine3.22', 'alpine3.23', 'alpine3.24'] as const;
export type AlpineRelease = (typeof ALPINE_RELEASES)[number];
export type Release = DebianRelease | 'jammy' | 'noble' | AlpineRelease | 'el9';
export type Distribution = 'debian' | 'ubuntu' | 'alpine' | 'el';

export interface RuntimeLibraryTable {
  distribution: Distribution;
  release: Release;
  /** Build-time package → the run-time packages its libraries are in ([] when the base image always has them). */
  libs: Record<string, string[]>;
  source: string;
  checked: string;
}

/**
 * Debian bookworm, bullseye, trixie: the `Depends` of each `-dev` package in Debian main, keeping the dependencies
 * built from the same source package that are libraries (not other `-dev` packages, `gir1.2-*` typelibs,
 * `*-bin`/`*-tools`, `-common` or `-doc`), following transitional `-dev` names (`libjpeg-dev` →
 * `libjpeg62-turbo-dev`) to their target. Read with `apt-cache depends` / `apt-cache show` from the Debian
 * archive's bookworm, bullseye and trixie indices (packages.debian.org shows the same), checked 2026-11; the
 * bookworm column re-read on this machine with `apt-cache depends` 2026-12 (every row agrees). Trimmed by hand:
 * `libcairo-script-interpreter2`, `libpangoxft-1.0-0` (pulls in X11), `libmagickcore-*-arch-config`, the zip
 * command-line tools, `ncurses-bin`. `default-libmysqlclient-dev` resolves through `libmariadb-dev-compat` to
 * `libmariadb3` on all three. null: the `-dev` package does not exist in that release (libpcre3-dev and
 * libatlas-base-dev were dropped from trixie; libldap-dev is named libldap2-dev on bullseye). An empty string:
 * headers (and static libraries) only, or a library every Debian image has (`libc6-dev` → libc6, Essential). The rows
 * from `libc6-dev` to `libmicrohttpd-dev` were read on this machine (bookworm only; the other releases null where
 * the name is not known here), 2026-12.
 */
const DEBIAN_COLUMNS: Record<string, [string, string | null, string | null]> = {
  "libc6-dev": ["", "", ""],
  "linux-libc-dev": ["", "", ""],
  "libstdc++-12-dev": ["", null, null],
  "nlohmann-json3-dev": ["", "", ""],
  "rapidjson-dev": ["", "", ""],
  "libasio-dev": ["", "", ""],
  "libeigen3-dev": ["", "", ""],
  "libboost-dev": ["", null, null],
  "libfmt-dev": ["libfmt9", null, null],
  "libspdlog-dev": ["libspdlog1.10", null, null],
  "libjsoncpp-dev": ["libjsoncpp25", null, null],
  "libyaml-cpp-dev": ["libyaml-cpp0.7", null, null],
  "libmicrohttpd-dev": ["libmicrohttpd12", null, null],
  "default-libmysqlclient-dev": ["libmariadb3", "libmariadb3", "libmariadb3"],
  "freetds-dev": ["libct4 libsybdb5", "libct4 libsybdb5", "libct4 libsybdb5"],
  "libabsl-dev": ["libabsl20220623", "libabsl20200923", "libabsl20240722"],
  "libaio-dev": ["libaio1", "libaio1", "libaio1t64"],
  "libarchive-dev": ["libarchive13", "libarchive13", "libarchive13t64"],
  "libasound2-dev": ["libasound2", "libasound2", "libasound2t64"],
  "libatlas-base-dev": ["libatlas3-base", "libatlas3-base", null],
  "libavcodec-dev": ["libavcodec59", "libavcodec58", "libavcodec61"],
  "libavformat-dev": ["libavformat59", "libavformat58", "libavformat61"],
  "libavif-dev": ["libavif15", "libavif9", "libavif16"],
  "libblas-dev": ["libblas3", "libblas3", "libblas3"],
  "libbsd-dev": ["libbsd0", "libbsd0", "libbsd0"],
  "libbz2-dev": ["libbz2-1.0", "libbz2-1.0", "libbz2-1.0"],
  "libcairo2-dev": ["libcairo-gobject2 libcairo2", "libcairo2 libcairo-gobject2", "libcairo-gobject2 libcairo2"],
  "libcap-dev": ["libcap2", "libcap2", "libcap2"],
  "libcjson-dev": ["libcjson1", "libcjson1", "libcjson1"],
  "libcurl4-gnutls-dev": ["libcurl3-gnutls", "libcurl3-gnutls", "libcurl3t64-gnutls"],
  "libcurl4-openssl-dev": ["libcurl4", "libcurl4", "libcurl4t64"],
  "libdb-dev": ["libdb5.3", "libdb5.3", "libdb5.3t64"],
  "libdw-dev": ["libdw1", "libdw1", "libdw1t64"],
  "libedit-dev": ["libedit2", "libedit2", "libedit2"],
  "libelf-dev": ["libelf1", "libelf1", "libelf1t64"],
  "libevent-dev": ["libevent-2.1-7 libevent-core-2.1-7 libevent-extra-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7", "libevent-2.1-7 libevent-core-2.1-7 libevent-extra-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7", "libevent-2.1-7t64 libevent-core-2.1-7t64 libevent-extra-2.1-7t64 libevent-pthreads-2.1-7t64 libevent-openssl-2.1-7t64"],
  "libexif-dev": ["libexif12", "libexif12", "libexif12"],
  "libexpat1-dev": ["libexpat1", "libexpat1", "libexpat1"],
  "libffi-dev": ["libffi8", "libffi7", "libffi8"],
  "libflac-dev": ["libflac12", "libflac8", "libflac14"],
  "libfontconfig-dev": ["libfontconfig1", "libfontconfig1", "libfontconfig1"],
  "libfontconfig1-dev": ["libfontconfig1", "libfontconfig1", "libfontconfig1"],
  "libfreetype-dev": ["libfreetype6", "libfreetype6", "libfreetype6"],
  "libfreetype6-dev": ["libfreetype6", "libfreetype6", "libfreetype6"],
  "libfribidi-dev": ["libfribidi0", "libfribidi0", "libfribidi0"],
  "libgd-dev": ["libgd3", "libgd3", "libgd3"],
  "libgdbm-dev": ["libgdbm6", "libgdbm6", "libgdbm6t64"],
  "libgdk-pixbuf-2.0-dev": ["libgdk-pixbuf-2.0-0", "libgdk-pixbuf-2.0-0", "libgdk-pixbuf-2.0-0"],
  "libgeos-dev": ["libgeos-c1v5", "libgeos-c1v5", "libgeos-c1t64"],
  "libgflags-dev": ["libgflags2.2", "libgflags2.2", "libgflags2.2"],
  "libgif-dev": ["libgif7", "libgif7", "libgif7"],
  "libgit2-dev": ["libgit2-1.5", "libgit2-1.1", "libgit2-1.9"],
  "libglib2.0-dev": ["libglib2.0-0", "libglib2.0-0", "libglib2.0-0t64"],
  "libglpk-dev": ["libglpk40", "libglpk40", "libglpk40"],
  "libglu1-mesa-dev": ["libglu1-mesa", "libglu1-mesa", "libglu1-mesa"],
  "libgmp-dev": ["libgmp10 libgmpxx4ldbl", "libgmp10 libgmpxx4ldbl", "libgmp10 libgmpxx4ldbl"],
  "libgmp3-dev": ["libgmp10 libgmpxx4ldbl", "libgmp10 libgmpxx4ldbl", "libgmp10 libgmpxx4ldbl"],
  "libgnutls28-dev": ["libgnutls-dane0 libgnutls-openssl27 libgnutls30 libgnutlsxx30", "libgnutls-dane0 libgnutls-openssl27 libgnutls30 libgnutlsxx28", "libgnutls-dane0t64 libgnutls-openssl27t64 libgnutls30t64"],
  "libgoogle-glog-dev": ["libgoogle-glog0v6", "libgoogle-glog0v5", "libgoogle-glog0v6t64"],
  "libgpgme-dev": ["libgpgme11", "libgpgme11", "libgpgme11t64"],
  "libgrpc++-dev": ["libgrpc++1.51", "libgrpc++1", "libgrpc++1.51t64"],
  "libgsl-dev": ["libgsl27 libgslcblas0", "libgsl25 libgslcblas0", "libgsl28 libgslcblas0"],
  "libharfbuzz-dev": ["libharfbuzz0b libharfbuzz-icu0 libharfbuzz-gobject0 libharfbuzz-subset0", "libharfbuzz0b libharfbuzz-icu0 libharfbuzz-gobject0", "libharfbuzz0b libharfbuzz-icu0 libharfbuzz-gobject0 libharfbuzz-subset0 libharfbuzz-cairo0"],
  "libheif-dev": ["libheif1", "libheif1", "libheif1"],
  "libhiredis-dev": ["libhiredis0.14", "libhiredis0.14", "libhiredis1.1.0"],
  "libicu-dev": ["libicu72", "libicu67", "libicu76"],
  "libimagequant-dev": ["libimagequant0", "libimagequant0", "libimagequant0"],
  "libjansson-dev": ["libjansson4", "libjansson4", "libjansson4"],
  "libjemalloc-dev": ["libjemalloc2", "libjemalloc2", "libjemalloc2"],
  "libjpeg-dev": ["libjpeg62-turbo", "libjpeg62-turbo", "libjpeg62-turbo"],
  "libjpeg62-turbo-dev": ["libjpeg62-turbo", "libjpeg62-turbo", "libjpeg62-turbo"],
  "liblapack-dev": ["liblapack3", "liblapack3", "liblapack3"],
  "liblcms2-dev": ["liblcms2-2", "liblcms2-2", "liblcms2-2"],
  "libldap-dev": ["libldap-2.5-0", null, "libldap2"],
  "libldap2-dev": ["libldap-2.5-0", "libldap-2.4-2", "libldap2"],
  "libleptonica-dev": ["liblept5", "liblept5", "libleptonica6"],
  "libleveldb-dev": ["libleveldb1d", "libleveldb1d", "libleveldb1d"],
  "liblz4-dev": ["liblz4-1", "liblz4-1", "liblz4-1"],
  "liblzma-dev": ["liblzma5", "liblzma5", "liblzma5"],
  "libmagic-dev": ["libmagic1", "libmagic1", "libmagic1t64"],
  "libmagickcore-dev": ["libmagickcore-6.q16-6", "libmagickcore-6.q16-6", "libmagickcore-7.q16-10"],
  "libmagickwand-dev": ["libmagickwand-6.q16-6", "libmagickwand-6.q16-6", "libmagickwand-7.q16-10"],
  "libmariadb-dev": ["libmariadb3", "libmariadb3", "libmariadb3"],
  "libmariadb-dev-compat": ["libmariadb3", "libmariadb3", "libmariadb3"],
  "libmaxminddb-dev": ["libmaxminddb0", "libmaxminddb0", "libmaxminddb0"],
  "libmemcached-dev": ["libmemcached11 libmemcachedutil2", "libmemcached11 libmemcachedutil2", "libmemcached11t64 libmemcachedutil2t64"],
  "libmnl-dev": ["libmnl0", "libmnl0", "libmnl0"],
  "libmp3lame-dev": ["libmp3lame0", "libmp3lame0", "libmp3lame0"],
  "libmpc-dev": ["libmpc3", "libmpc3", "libmpc3"],
  "libmpfr-dev": ["libmpfr6", "libmpfr6", "libmpfr6"],
  "libncurses-dev": ["libtinfo6 libncurses6 libncursesw6", "libtinfo6 libncurses6 libncursesw6", "libtinfo6 libncurses6 libncursesw6"],
  "libncurses5-dev": ["libtinfo6 libncurses6 libncursesw6", "libtinfo6 libncurses6 libncursesw6", "libtinfo6 libncurses6 libncursesw6"],
  "libncursesw5-dev": ["libtinfo6 libncurses6 libncursesw6", "libtinfo6 libncurses6 libncursesw6", "libtinfo6 libncurses6 libncursesw6"],
  "libnetcdf-dev": ["libnetcdf19", "libnetcdf18", "libnetcdf22"],
  "libnetfilter-queue-dev": ["libnetfilter-queue1", "libnetfilter-queue1", "libnetfilter-queue1"],
  "libnl-3-dev": ["libnl-3-200", "libnl-3-200", "libnl-3-200"],
  "libnss3-dev": ["libnss3", "libnss3", "libnss3"],
  "libogg-dev": ["libogg0", "libogg0", "libogg0"],
  "libonig-dev": ["libonig5", "libonig5", "libonig5"],
  "libopenblas-dev": ["libopenblas0", "libopenblas0", "libopenblas0"],
  "libopenjp2-7-dev": ["libopenjp2-7", "libopenjp2-7", "libopenjp2-7"],
  "libopus-dev": ["libopus0", "libopus0", "libopus0"],
  "libpango1.0-dev": ["libpango-1.0-0 libpangocairo-1.0-0 libpangoft2-1.0-0", "libpango-1.0-0 libpangocairo-1.0-0 libpangoft2-1.0-0", "libpango-1.0-0 libpangocairo-1.0-0 libpangoft2-1.0-0"],
  "libpcap-dev": ["libpcap0.8", "libpcap0.8", "libpcap0.8t64"],
  "libpcre2-dev": ["libpcre2-8-0 libpcre2-16-0 libpcre2-32-0 libpcre2-posix3", "libpcre2-8-0 libpcre2-16-0 libpcre2-32-0 libpcre2-posix2", "libpcre2-8-0 libpcre2-16-0 libpcre2-32-0 libpcre2-posix3"],
  "libpcre3-dev": ["libpcre3 libpcre16-3 libpcre32-3 libpcrecpp0v5", "libpcre3 libpcre16-3 libpcre32-3 libpcrecpp0v5", null],
  "libpng-dev": ["libpng16-16", "libpng16-16", "libpng16-16t64"],
  "libpoppler-cpp-dev": ["libpoppler-cpp0v5", "libpoppler-cpp0v5", "libpoppler-cpp2"],
  "libpq-dev": ["libpq5", "libpq5", "libpq5"],
  "libproj-dev": ["libproj25", "libproj19", "libproj25"],
  "libprotobuf-dev": ["libprotobuf32 libprotobuf-lite32", "libprotobuf23 libprotobuf-lite23", "libprotobuf32t64 libprotobuf-lite32t64"],
  "libraw-dev": ["libraw20", "libraw20", "libraw23t64"],
  "libre2-dev": ["libre2-9", "libre2-9", "libre2-11"],
  "libreadline-dev": ["libreadline8", "libreadline8", "libreadline8t64"],
  "librocksdb-dev": ["librocksdb7.8", "librocksdb6.11", "librocksdb9.10"],
  "librsvg2-dev": ["librsvg2-2", "librsvg2-2", "librsvg2-2"],
  "libsasl2-dev": ["libsasl2-2", "libsasl2-2", "libsasl2-2"],
  "libseccomp-dev": ["libseccomp2", "libseccomp2", "libseccomp2"],
  "libsecret-1-dev": ["libsecret-1-0", "libsecret-1-0", "libsecret-1-0"],
  "libsnappy-dev": ["libsnappy1v5", "libsnappy1v5", "libsnappy1v5"],
  "libsndfile1-dev": ["libsndfile1", "libsndfile1", "libsndfile1"],
  "libsodium-dev": ["libsodium23", "libsodium23", "libsodium23"],
  "libsqlcipher-dev": ["libsqlcipher0", "libsqlcipher0", "libsqlcipher1"],
  "libsqlite3-dev": ["libsqlite3-0", "libsqlite3-0", "libsqlite3-0"],
  "libssl-dev": ["libssl3", "libssl1.1", "libssl3t64"],
  "libswscale-dev": ["libswscale6", "libswscale5", "libswscale8"],
  "libsystemd-dev": ["libsystemd0", "libsystemd0", "libsystemd0"],
  "libtbb-dev": ["libtbb12", "libtbb2", "libtbb12"],
  "libtesseract-dev": ["libtesseract5", "libtesseract4", "libtesseract5"],
  "libtiff-dev": ["libtiff6 libtiffxx6", "libtiff5 libtiffxx5", "libtiff6 libtiffxx6"],
  "libudunits2-dev": ["libudunits2-0", "libudunits2-0", "libudunits2-0"],
  "libunwind-dev": ["libunwind8", "libunwind8", "libunwind8"],
  "libusb-1.0-0-dev": ["libusb-1.0-0", "libusb-1.0-0", "libusb-1.0-0"],
  "libuv1-dev": ["libuv1", "libuv1", "libuv1t64"],
  "libvips-dev": ["libvips42", "libvips42", "libvips42t64"],
  "libvorbis-dev": ["libvorbis0a libvorbisenc2 libvorbisfile3", "libvorbis0a libvorbisenc2 libvorbisfile3", "libvorbis0a libvorbisenc2 libvorbisfile3"],
  "libwebp-dev": ["libwebp7 libwebpmux3 libwebpdemux2", "libwebp6 libwebpmux3 libwebpdemux2", "libwebp7 libwebpdemux2 libwebpmux3 libwebpdecoder3"],
  "libx11-dev": ["libx11-6", "libx11-6", "libx11-6"],
  "libxext-dev": ["libxext6", "libxext6", "libxext6"],
  "libxi-dev": ["libxi6", "libxi6", "libxi6"],
  "libxml2-dev": ["libxml2", "libxml2", "libxml2"],
  "libxrender-dev": ["libxrender1", "libxrender1", "libxrender1"],
  "libxslt1-dev": ["libxslt1.1", "libxslt1.1", "libxslt1.1"],
  "libxslt-dev": ["libxslt1.1", "libxslt1.1", "libxslt1.1"],
  "libxt-dev": ["libxt6", "libxt6", "libxt6t64"],
  "libxtst-dev": ["libxtst6", "libxtst6", "libxtst6"],
  "libxpm-dev": ["libxpm4", "libxpm4", "libxpm4"],
  "libyaml-dev": ["libyaml-0-2", "libyaml-0-2", "libyaml-0-2"],
  "libzip-dev": ["libzip4", "libzip4", "libzip5"],
  "libzstd-dev": ["libzstd1", "libzstd1", "libzstd1"],
  "unixodbc-dev": ["libodbc2 libodbccr2 libodbcinst2", "libodbc1 odbcinst1debian2", "libodbc2 libodbccr2 libodbcinst2"],
  "zlib1g-dev": ["zlib1g", "zlib1g", "zlib1g"],
};

const JAMMY: Record<string, string[]> = {
  'libcurl4-openssl-dev': ['libcurl4'],
  'libssl-dev': ['libssl3'],
  'libxml2-dev': ['libxml2'],
  'libpq-dev': ['libpq5'],
  'libsqlite3-dev': ['libsqlite3-0'],
  'libmariadb-dev': ['libmariadb3'],
  'libpng-dev': ['libpng16-16'],
  'libjpeg-dev': ['libjpeg8'],
  'libtiff-dev': ['libtiff5'],
  'libfontconfig1-dev': ['libfontconfig1'],
  'libfreetype6-dev': ['libfreetype6'],
  'libharfbuzz-dev': ['libharfbuzz0b'],
  'libfribidi-dev': ['libfribidi0'],
  'libicu-dev': ['libicu70'],
  'libgit2-dev': ['libgit2-1.1'],
  'libudunits2-dev': ['libudunits2-0'],
  'libsodium-dev': ['libsodium23'],
  'libgmp-dev': ['libgmp10'],
  'libglpk-dev': ['libglpk40'],
  'zlib1g-dev': ['zlib1g'],
};
const NOBLE: Record<string, string[]> = {
  ...JAMMY,
  'libcurl4-openssl-dev': ['libcurl4t64'],
  'libssl-dev': ['libssl3t64'],
  'libpng-dev': ['libpng16-16t64'],
  'libtiff-dev': ['libtiff6'],
  'libfreetype-dev': ['libfreetype6'],
  'libicu-dev': ['libicu74'],
  'libgit2-dev': ['libgit2-1.7'],
};


/**
 * Alpine 3.19–3.24: the subpackage that holds the shared library a `-dev` package links (abuild makes each `-dev`
 * package depend on the package with the `.so` its symlinks point to): from the aports APKBUILDs' `subpackages`
 * (openssl: `libcrypto3`, `libssl3`; sqlite: `sqlite-libs`; xz: `xz-libs`; …) and the package pages of
 * pkgs.alpinelinux.org, where these were read per branch: libssl3 (v3.19, v3.22, v3.23, v3.24), libexpat (v3.20–v3.24),
 * xz-libs (v3.23, v3.24), zstd-libs (v3.18, v3.23), zlib-dev (v3.19–v3.21, v3.23, v3.24), sqlite-libs (v3.18, edge),
 * openssl's APKBUILD read from aports; the other names (curl-dev → libcurl, libpq-dev → libpq, …) follow the same
 * aports packaging and were not read per branch here. Not read with apk on this
 * machine (a Debian one). Usually the name without `-dev`, not always (`openssl-dev`, `sqlite-dev`, `bzip2-dev`).
 * `musl-dev`: musl is the base image's own C library.
 */
const ALPINE: Record<string, string[]> = {
  'musl-dev': [],
  'openssl-dev': ['libssl3', 'libcrypto3'],
  'zlib-dev': ['zlib'],
  'curl-dev': ['libcurl'],
  'sqlite-dev': ['sqlite-libs'],
  'libpq-dev': ['libpq'],
  'pcre2-dev': ['pcre2'],
  'libffi-dev': ['libffi'],
  'libxml2-dev': ['libxml2'],
  'libxslt-dev': ['libxslt'],
  'yaml-dev': ['yaml'],
  'libevent-dev': ['libevent'],
  'readline-dev': ['readline'],
  'bzip2-dev': ['libbz2'],
  'xz-dev': ['xz-libs'],
  'zstd-dev': ['zstd-libs'],
  'lz4-dev': ['lz4-libs'],
  'expat-dev': ['libexpat'],
  'libuv-dev': ['libuv'],
  'libpng-dev': ['libpng'],
  'libjpeg-turbo-dev': ['libjpeg-turbo'],
  'libsodium-dev': ['libsodium'],
  'c-ares-dev': ['c-ares'],
  'jansson-dev': ['jansson'],
};

/**
 * UBI 9 (and the other Enterprise Linux 9 images: CentOS Stream 9, Rocky Linux 9, AlmaLinux 9): the run-time
 * subpackage of each `-devel` package, as the packages' `Requires` name it (packages.fedoraproject.org and the
 * CentOS Stream 9 spec files; the EL9 names of these libraries are those of Fedora 34, which EL9 branched from).
 * Not read with dnf on this machine; kept to libraries whose package name did not change within EL9.
 * `libcurl-devel` is left out: UBI 9 ships `libcurl-minimal`, which the full `libcurl` replaces only with
 * `--allowerasing`. `glibc-devel`: glibc is the base image's own C library.
 */
const EL9: Record<string, string[]> = {
  'glibc-devel': [],
  'openssl-devel': ['openssl-libs'],
  'zlib-devel': ['zlib'],
  'sqlite-devel': ['sqlite-libs'],
  'libpq-devel': ['libpq'],
  'pcre2-devel': ['pcre2'],
  'libffi-devel': ['libffi'],
  'libxml2-devel': ['libxml2'],
  'bzip2-devel': ['bzip2-libs'],
  'xz-devel': ['xz-libs'],
  'libzstd-devel': ['libzstd'],
  'lz4-devel': ['lz4-libs'],
  'expat-devel': ['expat'],
  'libuuid-devel': ['libuuid'],
  'readline-devel': ['readline'],
  'ncurses-devel': ['ncurses-libs'],
  'libstdc++-devel': ['libstdc++'],
};

function debianTable(k: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [dev, row] of Object.entries(DEBIAN_COLUMNS)) {
    const v = row[k];
    if (v !== null) out[dev] = v.split(' ').filter(Boolean);
  }
  return out;
}

/**
 * `-dev` packages of header-only C++ libraries: no release of any distribution ships a run-time library for them, so a
 * runtime needs nothing, whatever its release (`ubuntu:20.04`, which the tables do not cover). Each is header-only
 * upstream (nlohmann/json, RapidJSON, Asio, Eigen, GLM, CLI11, cxxopts, Microsoft GSL: their READMEs) and
 * `Architecture: all` in Debian bookworm, an architecture-independent package that can hold no compiled library
 * (`apt-cache show`, read on this machine 2026-12).
 */
export const HEADER_ONLY_DEV: ReadonlySet<string> = new Set(['nlohmann-json3-dev', 'rapidjson-dev', 'libasio-dev', 'libeigen3-dev', 'libglm-dev', 'libcli11-dev', 'libcxxopts-dev', 'libmsgsl-dev']);

const DEBIAN_SOURCE = 'Debian archive indices (apt-cache depends / show; packages.debian.org)';
/** Every table, one per release. */
export const RUNTIME_LIBRARIES: RuntimeLibraryTable[] = [
  ...RUNTIME_LIB_RELEASES.map((release, k): RuntimeLibraryTable => ({ distribution: 'debian', release, libs: debianTable(k), source: `${DEBIAN_SOURCE}, ${release}`, checked: '2026-11' })),
  { distribution: 'ubuntu', release: 'jammy', libs: JAMMY, source: 'Ubuntu 22.04 archive (packages.ubuntu.com); not read on this machine', checked: '2026-11' },
  { distribution: 'ubuntu', release: 'noble', libs: NOBLE, source: 'Ubuntu 24.04 archive (packages.ubuntu.com); not read on this machine', checked: '2026-11' },
  ...ALPINE_RELEASES.map((release): RuntimeLibraryTable => ({ distribution: 'alpine', release, libs: ALPINE, source: 'aports APKBUILD subpackages and pkgs.alpinelinux.org v3.19–v3.24 package pages; not read with apk on this machine', checked: '2026-12' })),
  { distribution: 'el', release: 'el9', libs: EL9, source: 'packages.fedoraproject.org / CentOS Stream 9 spec files (Requires); not read with dnf on this machine', checked: '2026-12' },
];

const BY_RELEASE = new Map<string, RuntimeLibraryTable>(RUNTIME_LIBRARIES.map((t) => [t.release, t]));

/** An apt package argument without its version pin (`=1.2`) and architecture qualifier (`:amd64`). */
export function aptPackageName(spec: string): string {
  const eq = spec.indexOf('=');
  return (eq < 0 ? spec : spec.slice(0, eq)).replace(/:[a-z0-9]+$/, '');
}

/** A package argument up to its first `:` or `=` (an architecture, a version pin). */
export function beforeQualifier(spec: string): string {
  const k = spec.search(/[:=]/);
  return k < 0 ? spec : spec.slice(0, k);
}

/** A package argument without the version apk (`openssl-dev=3.1.4-r0`, `zlib-dev>1.2`) or dnf (`zlib-devel-1.2.11`) may carry. */
function packageName(spec: string, release: Release): string {
  const t = BY_RELEASE.get(release);
  if (t?.distribution === 'alpine') return spec.split(/[=<>~]/, 1)[0];
  if (t?.distribution === 'el') return spec.replace(/-\d[\w.+~^]*(-[\w.+~^]+)?(\.(x86_64|aarch64|noarch|i686))?$/, '');
  return beforeQualifier(spec);
}

function libsOf(name: string, release: Release): string[] | undefined {
  const table = BY_RELEASE.get(release)?.libs;
  return table && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

/**
 * The Debian or Ubuntu packages (space-separated when there are several) a runtime of `release` needs for a `-dev`
 * package installed in the builder; '' when it needs none; null when the package or the release is not in the
 * tables (a recipe then declines and names the package). A version pin (`libpq-dev=15.6-0+deb12u1`) and an
 * architecture qualifier (`:amd64`) are ignored.
 */
export function runtimeLibFor(devPkg: string, release: string): string | null {
  if (!isKnownRelease(release)) return null;
  return libsOf(aptPackageName(devPkg), release)?.join(' ') ?? null;
}

/** Every `-dev` package the Debian table knows (for tests and docs). */
export function knownDevPackages(): string[] {
  return Object.keys(DEBIAN_COLUMNS);
}

/** The run-time packages of `-dev` packages on a release: the packages found, and the `-dev` packages not known. */
export function runtimeLibraries(devPackages: string[], release: Release): { packages: string[]; unknown: string[] } {
  const packages: string[] = [];
  const unknown: string[] = [];
  for (const d of devPackages) {
    const name = packageName(d, release);
    const libs = libsOf(name, release);
    if (!libs) {
      if (!unknown.includes(name)) unknown.push(name);
      continue;
    }
    for (const l of libs) if (!packages.includes(l)) packages.push(l);
  }
  return { packages, unknown };
}

/** The Debian release a Docker official image tag names (`3.3-bookworm`, `8.3-apache-bookworm`), or null. */
export function debianReleaseOfTag(tag: string | null): string | null {
  const m = /(?:^|-)(buster|bullseye|bookworm|trixie|forky)(?:-|$)/.exec(tag ?? '');
  return m ? m[1] : null;
}

/**
 * The Ubuntu release under a rocker/r-ver tag: 4.0.0–4.2.1 on focal, 4.2.2–4.4.x on jammy, 4.5.x on noble
 * (rocker-versioned2 dockerfiles/r-ver_<version>.Dockerfile, `FROM ubuntu:<release>`, checked 2026-11). Moving
 * tags (`latest`, `4`) and unknown versions give null.
 */
export function rockerRelease(tag: string | null): string | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(tag ?? '');
  if (!m) return null;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  const patch = m[3] === undefined ? null : Number(m[3]);
  if (maj !== 4) return null;
  if (min <= 1) return 'focal';
  if (min === 2) return patch === null || patch >= 2 ? 'jammy' : 'focal';
  if (min <= 4) return 'jammy';
  if (min === 5) return 'noble';
  return null;
}

/**
 * The Debian `-dev` package behind a library a build links, for the toolchain images that already carry them
 * (buildpack-deps, and gcc on it, ship libssl-dev, zlib1g-dev, libpq-dev, … without the Dockerfile installing
 * them): by `-l` name, by pkg-config module and by CMake `find_package` module. From the `.so` links and `.pc`
 * files the packages ship (`dpkg -L` on this machine, bookworm: libssl-dev, zlib1g-dev, libpq-dev, libsqlite3-dev,
 * libxml2-dev, libyaml-dev, libffi-dev, libgmp-dev, libbz2-dev, liblzma-dev, libreadline-dev, libpng-dev,
 * libjpeg62-turbo-dev, libncurses-dev; libcurl4-openssl-dev from packages.debian.org's file list), and the
 * FindOpenSSL/FindZLIB/FindCURL/FindPostgreSQL/FindSQLite3/FindLibXml2/FindBZip2/FindLibLZMA/FindPNG/FindJPEG
 * modules of CMake, checked 2026-12. '': the C library or the compiler's own run-time library, in every image.
 */
export const LINKED_LIBRARY_DEV: { lib: Record<string, string>; pkgConfig: Record<string, string>; cmake: Record<string, string> } = {
  lib: {
    ssl: 'libssl-dev', crypto: 'libssl-dev', z: 'zlib1g-dev', curl: 'libcurl4-openssl-dev', pq: 'libpq-dev', sqlite3: 'libsqlite3-dev',
    xml2: 'libxml2-dev', yaml: 'libyaml-dev', ffi: 'libffi-dev', gmp: 'libgmp-dev', gmpxx: 'libgmp-dev', bz2: 'libbz2-dev', lzma: 'liblzma-dev',
    readline: 'libreadline-dev', history: 'libreadline-dev', png: 'libpng-dev', png16: 'libpng-dev', jpeg: 'libjpeg-dev', ncurses: 'libncurses-dev',
    ncursesw: 'libncurses-dev', tinfo: 'libncurses-dev',
    m: '', pthread: '', dl: '', rt: '', c: '', util: '', resolv: '', crypt: '', 'stdc++': '', gcc_s: '', gcc: '',
  },
  pkgConfig: {
    openssl: 'libssl-dev', libssl: 'libssl-dev', libcrypto: 'libssl-dev', zlib: 'zlib1g-dev', libcurl: 'libcurl4-openssl-dev', libpq: 'libpq-dev',
    sqlite3: 'libsqlite3-dev', 'libxml-2.0': 'libxml2-dev', 'yaml-0.1': 'libyaml-dev', libffi: 'libffi-dev', gmp: 'libgmp-dev', liblzma: 'liblzma-dev',
    readline: 'libreadline-dev', libpng: 'libpng-dev', libpng16: 'libpng-dev', libjpeg: 'libjpeg-dev', ncurses: 'libncurses-dev', ncursesw: 'libncurses-dev',
  },
  cmake: {
    OpenSSL: 'libssl-dev', ZLIB: 'zlib1g-dev', CURL: 'libcurl4-openssl-dev', PostgreSQL: 'libpq-dev', SQLite3: 'libsqlite3-dev', LibXml2: 'libxml2-dev',
    BZip2: 'libbz2-dev', LibLZMA: 'liblzma-dev', PNG: 'libpng-dev', JPEG: 'libjpeg-dev', Threads: '',
  },
};

/** Whether a release has a table here. */
export function isKnownRelease(r: string | null): r is Release {
  return !!r && BY_RELEASE.has(r);
}

/** The distribution of a release that has a table. */
export function distributionOf(r: Release): Distribution {
  return BY_RELEASE.get(r)!.distribution;
}

/**
 * Gems whose native extension links a system library that the full `ruby` image has (it is built on
 * buildpack-deps, which carries the `-dev` packages) but the slim image does not: the `-dev` package it builds
 * against. From each gem's extconf.rb / README (pg: libpq; mysql2: libmysqlclient/libmariadb; ruby-vips and ethon load
 * libvips / libcurl through FFI at run time; charlock_holmes: ICU; rmagick: ImageMagick's MagickWand; curb: libcurl),
 * checked 2026-11. Gems that vendor their library (nokogiri, sqlite3 ≥ 1.5, sassc, grpc) or link only what the slim
 * image keeps (libssl, libyaml, libffi, libgmp, zlib: docker-library/ruby slim Dockerfiles) are not listed.
 */
export const GEM_SYSTEM_LIBRARIES: Record<string, string> = {
  pg: 'libpq-dev',
  mysql2: 'default-libmysqlclient-dev',
  'ruby-vips': 'libvips-dev',
  ethon: 'libcurl4-openssl-dev',
  curb: 'libcurl4-openssl-dev',
  charlock_holmes: 'libicu-dev',
  rmagick: 'libmagickwand-dev',
  'tiny_tds': 'freetds-dev',
};

/** Gem names in a Gemfile.lock's `specs:` sections (`    pg (1.5.4)`). */
export function gemsInLockfile(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^ {4}([A-Za-z0-9_.-]+) \(/gm)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}
