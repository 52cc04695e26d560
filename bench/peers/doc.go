// Package peers is the root of the nested module that holds gouv's
// benchmark peers built on third-party Go libraries (gnet-echo,
// fasthttp-http), kept out of the main module so that its go.mod stays free
// of their dependencies. See README.md.
package peers
