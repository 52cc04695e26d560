/* llhttp_http.c: compiles Debian node-llhttp's generated http.c into uvhttp
 * (third_party/llhttp). */
#include "/usr/share/llhttp/http.c"
