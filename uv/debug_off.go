//go:build !uvdebug

package uv

import "github.com/gouv/gouv/cbridge"

// DebugBuild reports whether the package was built with -tags uvdebug,
// which checks the thread rule and counts live handles and requests by type.
const DebugBuild = false

// loopDebug is empty outside uvdebug builds; its methods compile to nothing.
type loopDebug struct{}

func (loopDebug) enterRun()                                {}
func (loopDebug) exitRun()                                 {}
func (loopDebug) opened(cbridge.ID, HandleType)            {}
func (loopDebug) closed(cbridge.ID, HandleType)            {}
func (loopDebug) reqStarted(string)                        {}
func (loopDebug) reqDone(string)                           {}
func (loopDebug) where(cbridge.ID) string                  { return "" }
func (*Loop) checkThread(string)                           {}
func (loopDebug) counts() (map[string]int, map[string]int) { return nil, nil }
