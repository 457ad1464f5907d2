# libcurl for the transport. Included by the top-level CMakeLists.txt before any target exists.
#
# Defines:
#   chc::curl             target to link (include dirs, defines and link libraries come with it)
#   CHC_PC_LIBS_PRIVATE   string for Libs.private in chconnect.pc
#   CHC_CURL_BUILD_TARGET name of the target that builds the bundled curl ("" with CHC_SYSTEM_CURL)
#
# CHC_SYSTEM_CURL=OFF (default): build Debian's curl source package (Debian's patches applied)
# against libmbedtls-dev, static and PIC, HTTP/HTTPS only. The source comes from
#   1. CHC_CURL_SOURCE_DIR (cache variable, or the environment variable of that name) pointing to an
#      already-extracted curl source tree (the directory with `configure`), else
#   2. impl/transport/fetch-curl-source.sh, run at configure time into the build tree
#      (${CMAKE_BINARY_DIR}/_deps/curl-src; `apt-get source curl`, enabling deb-src when root).
# curl is configured and built with ExternalProject (autotools configure + make -j<cores>) in
# ${CMAKE_BINARY_DIR}/_deps/curl-build and installed into ${CMAKE_BINARY_DIR}/_deps/curl-install.
#
# mbedTLS: Debian's libmbedtls-dev ships static archives that are NOT position-independent, so a
# shared libchconnect cannot take them in; libcurl.a is linked in statically and mbedTLS comes from
# its shared libraries (libmbedtls.so.14, libmbedx509.so.1, libmbedcrypto.so.7).
#
# CHC_SYSTEM_CURL=ON: find_package(CURL) and use the system libcurl (whatever TLS backend it has).

set(CHC_CURL_BUILD_TARGET "")

if(CHC_SYSTEM_CURL)
  find_package(CURL REQUIRED)
  add_library(chc_curl INTERFACE)
  target_link_libraries(chc_curl INTERFACE CURL::libcurl)
  add_library(chc::curl ALIAS chc_curl)
  set(CHC_PC_LIBS_PRIVATE "-lcurl -lzstd -llz4 -lz -lpthread")
  message(STATUS "chconnect: using the system libcurl ${CURL_VERSION_STRING}")
  return()
endif()

include(ExternalProject)
include(ProcessorCount)

# ---- mbedTLS (libmbedtls-dev) -----------------------------------------------------------------
find_path(CHC_MBEDTLS_INCLUDE_DIR mbedtls/ssl.h)
find_library(CHC_MBEDTLS_LIBRARY mbedtls)
find_library(CHC_MBEDX509_LIBRARY mbedx509)
find_library(CHC_MBEDCRYPTO_LIBRARY mbedcrypto)
if(NOT CHC_MBEDTLS_INCLUDE_DIR OR NOT CHC_MBEDTLS_LIBRARY OR NOT CHC_MBEDX509_LIBRARY OR NOT CHC_MBEDCRYPTO_LIBRARY)
  message(FATAL_ERROR "chconnect: mbedTLS not found (install libmbedtls-dev), "
                      "or configure with -DCHC_SYSTEM_CURL=ON to use the system libcurl")
endif()

# ---- curl source --------------------------------------------------------------------------------
set(CHC_CURL_SOURCE_DIR "" CACHE PATH
    "Extracted curl source tree to build (empty: fetch Debian's source package into the build tree)")
set(_chc_curl_src "${CHC_CURL_SOURCE_DIR}")
if(NOT _chc_curl_src AND DEFINED ENV{CHC_CURL_SOURCE_DIR})
  set(_chc_curl_src "$ENV{CHC_CURL_SOURCE_DIR}")
endif()
if(NOT _chc_curl_src)
  execute_process(
    COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/fetch-curl-source.sh ${CMAKE_BINARY_DIR}/_deps/curl-src
    OUTPUT_VARIABLE _chc_curl_fetch_out
    RESULT_VARIABLE _chc_curl_fetch_rc
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _chc_curl_fetch_rc EQUAL 0)
    message(FATAL_ERROR "chconnect: fetching Debian's curl source failed (see above). Set "
                        "CHC_CURL_SOURCE_DIR to an extracted curl source or use -DCHC_SYSTEM_CURL=ON.")
  endif()
  string(REGEX REPLACE ".*\n" "" _chc_curl_src "${_chc_curl_fetch_out}")
endif()
if(NOT EXISTS "${_chc_curl_src}/configure" OR NOT EXISTS "${_chc_curl_src}/include/curl/curlver.h")
  message(FATAL_ERROR "chconnect: '${_chc_curl_src}' is not a curl source tree (no configure)")
endif()
file(STRINGS "${_chc_curl_src}/include/curl/curlver.h" _chc_curl_ver REGEX "^#define LIBCURL_VERSION \"")
string(REGEX REPLACE ".*\"(.*)\".*" "\\1" _chc_curl_ver "${_chc_curl_ver}")
message(STATUS "chconnect: building bundled curl ${_chc_curl_ver} (mbedTLS) from ${_chc_curl_src}")

# ---- configure + build -------------------------------------------------------------------------
ProcessorCount(_chc_ncpu)
if(_chc_ncpu EQUAL 0)
  set(_chc_ncpu 2)
endif()
find_program(CHC_MAKE_PROGRAM NAMES gmake make REQUIRED)

set(_chc_curl_bin "${CMAKE_BINARY_DIR}/_deps/curl-build")
set(_chc_curl_prefix "${CMAKE_BINARY_DIR}/_deps/curl-install")
set(_chc_curl_lib "${_chc_curl_prefix}/lib/libcurl.a")
file(MAKE_DIRECTORY "${_chc_curl_prefix}/include")

get_filename_component(_chc_mbedtls_prefix "${CHC_MBEDTLS_INCLUDE_DIR}" DIRECTORY)
set(_chc_curl_cflags "-O2 -fPIC")
ExternalProject_Add(chc_curl_build
  SOURCE_DIR "${_chc_curl_src}"
  BINARY_DIR "${_chc_curl_bin}"
  INSTALL_DIR "${_chc_curl_prefix}"
  STAMP_DIR "${CMAKE_BINARY_DIR}/_deps/curl-stamp"
  TMP_DIR "${CMAKE_BINARY_DIR}/_deps/curl-tmp"
  DOWNLOAD_COMMAND ""
  UPDATE_COMMAND ""
  PATCH_COMMAND ""
  # Every protocol but HTTP(S) off; no compression (we decode Content-Encoding ourselves), no
  # HTTP/2, IDN, PSL, SSH, LDAP, RTMP, GSSAPI. Threaded resolver: with CURLOPT_NOSIGNAL the
  # synchronous resolver could not time out.
  CONFIGURE_COMMAND
    env "CC=${CMAKE_C_COMPILER}" "CFLAGS=${_chc_curl_cflags}"
    "${_chc_curl_src}/configure"
      --prefix=<INSTALL_DIR> --libdir=<INSTALL_DIR>/lib
      --disable-shared --enable-static --with-pic
      --disable-dependency-tracking --disable-silent-rules --disable-maintainer-mode
      --with-mbedtls=${_chc_mbedtls_prefix}
      --enable-http --enable-proxy
      --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict
      --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp
      --disable-gopher --disable-mqtt --disable-websockets
      --disable-manual --disable-libcurl-option
      --disable-alt-svc --disable-hsts --disable-cookies --disable-netrc --disable-doh
      --disable-ntlm --disable-ntlm-wb --disable-tls-srp --disable-dnsshuffle
      --enable-threaded-resolver --enable-ipv6 --enable-symbol-hiding
      --without-zlib --without-brotli --without-zstd --without-nghttp2 --without-ngtcp2
      --without-nghttp3 --without-quiche --without-msh3 --without-hyper
      --without-libpsl --without-libidn2 --without-winidn --without-libssh2 --without-libssh
      --without-wolfssh --without-librtmp --without-libgsasl --without-gssapi
      --without-zsh-functions-dir --without-fish-functions-dir
      --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --without-ca-path
  BUILD_COMMAND ${CHC_MAKE_PROGRAM} -j${_chc_ncpu} -C lib
  INSTALL_COMMAND ${CHC_MAKE_PROGRAM} -C lib install
          COMMAND ${CHC_MAKE_PROGRAM} -C include install
  BUILD_BYPRODUCTS "${_chc_curl_lib}"
  LOG_CONFIGURE ON LOG_BUILD ON LOG_INSTALL ON LOG_OUTPUT_ON_FAILURE ON
  USES_TERMINAL_BUILD OFF)
set(CHC_CURL_BUILD_TARGET chc_curl_build)

add_library(chc_curl_bundled STATIC IMPORTED GLOBAL)
set_target_properties(chc_curl_bundled PROPERTIES
  IMPORTED_LOCATION "${_chc_curl_lib}"
  INTERFACE_INCLUDE_DIRECTORIES "${_chc_curl_prefix}/include"
  INTERFACE_COMPILE_DEFINITIONS "CURL_STATICLIB;CHC_BUNDLED_CURL"
  INTERFACE_LINK_LIBRARIES
    "${CHC_MBEDTLS_LIBRARY};${CHC_MBEDX509_LIBRARY};${CHC_MBEDCRYPTO_LIBRARY};Threads::Threads")
# Followed transitively by everything linking chc::curl (chconnect_core also depends on it
# explicitly, in impl/transport/CMakeLists.txt, so its objects wait for the headers).
add_dependencies(chc_curl_bundled chc_curl_build)
add_library(chc::curl ALIAS chc_curl_bundled)

set(CHC_PC_LIBS_PRIVATE "-lmbedtls -lmbedx509 -lmbedcrypto -lzstd -llz4 -lz -lpthread")
