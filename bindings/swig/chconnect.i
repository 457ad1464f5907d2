/* The one SWIG interface over the C ABI, shared by the Python and Go bindings.
 * It wraps capi/include/chconnect/chconnect.h as is; each language adds its typemaps (out
 * parameters, chc_error**, buffers) in its own file, included here before the header. */
%module chconnect_capi

%{
#include "chconnect/chconnect.h"
%}

%include <stdint.i>

#if defined(SWIGPYTHON)
%include "python.i"
#elif defined(SWIGGO)
%include "go.i"
#endif

/* The Arrow C Data Interface structs (header section 9) are for Arrow consumers, which use their
   own definitions of the same layout; SWIG member accessors for them would only leak strings. The
   chc_*_arrow functions stay, taking the structs as opaque pointers. */
%ignore ArrowSchema;
%ignore ArrowArray;
%ignore ArrowArrayStream;

#define CHC_API
%include "chconnect/chconnect.h"
