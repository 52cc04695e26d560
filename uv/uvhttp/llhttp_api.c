/* llhttp_api.c: compiles Debian node-llhttp's generated api.c into uvhttp
 * (third_party/llhttp). */
#include "/usr/share/llhttp/api.c"
