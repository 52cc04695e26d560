/* llhttp_llhttp.c: compiles Debian node-llhttp's generated llhttp.c into uvhttp
 * (third_party/llhttp). */
#include "/usr/share/llhttp/llhttp.c"
