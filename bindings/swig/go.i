/* Go typemaps for chconnect.i (SWIG -go -cgo -intgosize 64).
 *
 * The generated package (bindings/go/internal/capi) stays a thin, mechanical mirror of the C ABI;
 * the idiomatic layer on top (package chconnect) owns handles and turns statuses into Go errors.
 * SWIG's Go exception path panics, so nothing here raises: every call returns its chc_status and
 * its error handle through an out slot, and the Go layer checks them.
 *
 * What the typemaps give Go:
 *   T** (out handles, chc_error** err)  ->  *SwigcptrStruct_SS_T   (caller-owned Go slot)
 *   const char** (borrowed out strings) ->  **byte                 (C pointer, read with the length)
 *   size_t* / int64_t* / uint64_t* / double* outs -> *int64 / *int64 / *uint64 / *float64 (SWIG default)
 *   (const char* sql, size_t sql_len), (const char* data, size_t len) -> string, passed without a copy
 *   (const void* data, size_t len)      ->  []byte, passed without a copy
 *   (void* buf, size_t cap)             ->  []byte, filled in place (chc_raw_result_read)
 *   (const char* const* columns, size_t ncolumns), (const char* const* types, size_t ntypes) -> []string
 *   const char* return values           ->  string, copied into Go memory at once
 *   chc_column_data / chc_response_body returns -> unsafe.Pointer / *byte (zero-copy, with a length)
 * The handle types keep SWIG's names for incomplete structs (SwigcptrStruct_SS_chc_client, ...);
 * bindings/go/internal/capi/handles.go gives them short aliases.
 */

/* Link flags for every file of the generated package; pkg-config finds the installed library. */
%insert(cgo_comment_typedefs) %{
#cgo pkg-config: chconnect
%}

/* ---- out handles: the Go caller passes the address of a handle variable ---------------------
 * The slot is Go memory holding a uintptr (no Go pointers), which cgo allows C to write into for
 * the duration of the call. */
%define CHC_GO_OUT_HANDLE(CTYPE, GOTYPE)
%typemap(gotype) CTYPE ** %{*GOTYPE%}
%typemap(imtype) CTYPE ** "*uintptr"
%typemap(goin) CTYPE ** %{$result = (*uintptr)(unsafe.Pointer($input))%}
%typemap(in) CTYPE ** %{$1 = ($1_ltype)$input;%}
%enddef

CHC_GO_OUT_HANDLE(chc_error, SwigcptrStruct_SS_chc_error)
CHC_GO_OUT_HANDLE(chc_client, SwigcptrStruct_SS_chc_client)
CHC_GO_OUT_HANDLE(chc_response, SwigcptrStruct_SS_chc_response)
CHC_GO_OUT_HANDLE(chc_type, SwigcptrStruct_SS_chc_type)
CHC_GO_OUT_HANDLE(chc_result, SwigcptrStruct_SS_chc_result)
CHC_GO_OUT_HANDLE(chc_raw_result, SwigcptrStruct_SS_chc_raw_result)
CHC_GO_OUT_HANDLE(chc_block, SwigcptrStruct_SS_chc_block)
CHC_GO_OUT_HANDLE(chc_column, SwigcptrStruct_SS_chc_column)
CHC_GO_OUT_HANDLE(chc_insert, SwigcptrStruct_SS_chc_insert)

/* ---- borrowed strings handed out through const char** ---------------------------------------
 * SWIG's default would make these *string and let C write a char* over a Go string header.
 * A **byte slot holds the C pointer; the Go layer copies the bytes (it knows the length, or the
 * string is NUL-terminated). */
%typemap(gotype) const char ** "**byte"
%typemap(imtype) const char ** "**byte"
%typemap(in) const char ** %{$1 = ($1_ltype)$input;%}

/* ---- input buffers passed by pointer and length: no copy, the C side only reads them during
 * the call. */
%apply (char *STRING, size_t LENGTH) { (const char* sql, size_t sql_len) };
%apply (char *STRING, size_t LENGTH) { (const char* data, size_t len) };

/* chc_raw_result_read fills a Go []byte in place (cgo allows C to write into Go memory without Go
   pointers for the duration of the call). */
%typemap(gotype) (void* buf, size_t cap) "[]byte"
%typemap(imtype) (void* buf, size_t cap) "[]byte"
%typemap(in) (void* buf, size_t cap)
%{
  $1 = ($1_ltype)$input.array;
  $2 = ($2_ltype)$input.len;
%}

%typemap(gotype) (const void* data, size_t len) "[]byte"
%typemap(imtype) (const void* data, size_t len) "[]byte"
%typemap(in) (const void* data, size_t len)
%{
  $1 = ($1_ltype)$input.array;
  $2 = ($2_ltype)$input.len;
%}

/* ---- column names for chc_client_insert_begin: []string -> const char* const*, size_t ---------
 * A []string cannot go to C directly (its backing array holds Go pointers), so the Go side packs
 * the names as NUL-terminated strings into one string and C unpacks a copy of it. */
%go_import("strings")
%typemap(gotype) (const char* const* columns, size_t ncolumns) "[]string"
%typemap(imtype) (const char* const* columns, size_t ncolumns) "string"
%typemap(goin) (const char* const* columns, size_t ncolumns)
%{
	{
		var packed strings.Builder
		for _, name := range $input {
			packed.WriteString(name)
			packed.WriteByte(0)
		}
		$result = packed.String()
	}
%}
%typemap(in) (const char* const* columns, size_t ncolumns) (char** names_tmp = NULL)
%{
  {
    size_t n = 0, i, k = 0;
    for (i = 0; i < (size_t)$input.n; i++) {
      if ($input.p[i] == '\0') n++;
    }
    /* One block: n pointers, then a copy of the packed names. On allocation failure the call
       gets columns = NULL with ncolumns > 0, which the library rejects as an invalid argument. */
    names_tmp = n ? (char**)malloc(n * sizeof(char*) + (size_t)$input.n) : NULL;
    if (names_tmp) {
      char* bytes = (char*)(names_tmp + n);
      memcpy(bytes, $input.p, (size_t)$input.n);
      names_tmp[k++] = bytes;
      for (i = 0; i + 1 < (size_t)$input.n && k < n; i++) {
        if (bytes[i] == '\0') names_tmp[k++] = bytes + i + 1;
      }
    }
    $1 = ($1_ltype)names_tmp;
    $2 = ($2_ltype)n;
  }
%}
%typemap(freearg) (const char* const* columns, size_t ncolumns) %{free(names_tmp$argnum);%}
/* chc_client_insert_begin_typed's type names: []string, as the column names. */
%apply (const char* const* columns, size_t ncolumns) { (const char* const* types, size_t ntypes) };

/* ---- borrowed strings returned by value (names, messages, query ids) -------------------------
 * SWIG's default mallocs a copy in C and frees it from Go through a uintptr, which `go vet`
 * flags (unsafeptr). Instead C returns a Go string header over the borrowed bytes and Go copies
 * them at once (strings.Clone), before anything can free them. */
%typemap(out) const char * %{
  $result.p = (char*)$1;
  $result.n = $1 ? (intgo)strlen($1) : 0;
%}
%typemap(goout) const char * %{$result = strings.Clone($1)%}

/* ---- zero-copy returns ---------------------------------------------------------------------
 * chc_column_data: the column's contiguous buffer, read through unsafe.Slice with its length.
 * chc_response_body: may hold NUL bytes, so it is read with its length rather than strlen. */
%typemap(gotype) const void* chc_column_data "unsafe.Pointer"
%typemap(imtype) const void* chc_column_data "unsafe.Pointer"
%typemap(out) const void* chc_column_data %{$result = (void*)$1;%}
%typemap(goout) const void* chc_column_data ""

%typemap(gotype) const char* chc_response_body "*byte"
%typemap(imtype) const char* chc_response_body "*byte"
%typemap(out) const char* chc_response_body %{$result = (char*)$1;%}
%typemap(goout) const char* chc_response_body ""
