package uv

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zeroTypes returns the types whose every exported method
// TestZeroValueMethods calls on a zero value and on a nil pointer: Loop,
// and every handle type that handle.outer knows, so a new handle type is
// covered once it is added there. Their methods are found by reflection,
// so methods added later are covered too.
func zeroTypes(t *testing.T) []reflect.Type {
	types := []reflect.Type{reflect.TypeOf(Loop{})}
	for typ := range HandleType(numHandleTypes) {
		// outer only converts the pointer; buf is large enough for any
		// handle type, so that checkptr sees no straddling conversion.
		var buf [64]uint64
		h := (*handle)(unsafe.Pointer(&buf))
		h.typ = uint8(typ)
		if v := catchPanic(func() { types = append(types, reflect.TypeOf(h.outer()).Elem()) }); v != nil {
			continue // not a type of this package (yet)
		}
	}
	for _, want := range []any{Timer{}, Idle{}, Prepare{}, Check{}, Async{}, TCP{}, Pipe{}} {
		require.Contains(t, types, reflect.TypeOf(want))
	}
	return types
}

// zeroArgs builds arguments for m: zero values, except that callbacks are
// real functions (a nil callback is an error of its own, checked elsewhere)
// and handle interfaces get a zero-value handle of a type that has them.
func zeroArgs(m reflect.Method) []reflect.Value {
	ft := m.Type
	args := make([]reflect.Value, 0, ft.NumIn()-1)
	for i := 1; i < ft.NumIn(); i++ {
		in := ft.In(i)
		switch {
		case in.Kind() == reflect.Func && !ft.IsVariadic() || in.Kind() == reflect.Func && i < ft.NumIn()-1:
			args = append(args, reflect.MakeFunc(in, func([]reflect.Value) []reflect.Value {
				out := make([]reflect.Value, in.NumOut())
				for j := range out {
					out[j] = reflect.Zero(in.Out(j))
				}
				return out
			}))
		case in.Kind() == reflect.Interface && reflect.TypeOf(&TCP{}).Implements(in):
			args = append(args, reflect.ValueOf(&TCP{}))
		default:
			args = append(args, reflect.Zero(in))
		}
	}
	return args
}

// callRecover calls m on recv and returns its results, or what it panicked
// with.
func callRecover(recv reflect.Value, m reflect.Method) (out []reflect.Value, panicked any) {
	defer func() { panicked = recover() }()
	args := append([]reflect.Value{recv}, zeroArgs(m)...)
	if m.Type.IsVariadic() {
		return m.Func.CallSlice(append(args[:len(args)-1], reflect.Zero(m.Type.In(m.Type.NumIn()-1)))), nil
	}
	return m.Func.Call(args), nil
}

// Every exported method of every handle type and of Loop, called on a zero
// value (var t uv.Timer) or a nil pointer, must fail in Go: an error result
// that is not nil, or the binding's own panic, a message starting "uv: "
// that says what to do. Never does a call reach C with a nil handle, which
// would crash the test binary with SIGSEGV instead of failing it.
//
// The one exception: a nil handle pointer panics with Go's nil pointer
// dereference (a runtime.Error), whatever the method. Every method,
// promoted from the handle base or not, takes the address of the embedded
// base (&t.handle), and Go checks the pointer for nil there even though
// the base is at offset 0: no code of the binding runs, so no check of
// the binding could say more. Only a nil check at the top of every
// method of every type would, which the binding does not add.
func TestZeroValueMethods(t *testing.T) {
	errType := reflect.TypeOf((*error)(nil)).Elem()
	for _, z := range zeroTypes(t) {
		typ := reflect.PointerTo(z)
		for _, form := range []string{"zero", "nil"} {
			for i := range typ.NumMethod() {
				m := typ.Method(i)
				name := fmt.Sprintf("%s %s.%s", form, typ.Elem().Name(), m.Name)
				recv := reflect.New(typ.Elem())
				if form == "nil" {
					recv = reflect.Zero(typ)
				}
				out, p := callRecover(recv, m)
				if p != nil {
					if re, ok := p.(runtime.Error); ok {
						if form == "nil" && typ.Elem().Name() != "Loop" &&
							strings.Contains(re.Error(), "nil pointer dereference") {
							continue
						}
						assert.Fail(t, "runtime error", "%s panicked with %v, want a uv: message", name, p)
						continue
					}
					msg := fmt.Sprint(p)
					_, isString := p.(string)
					assert.True(t, isString && strings.HasPrefix(msg, "uv: "), "%s panicked with %q, want a uv: message", name, msg)
					continue
				}
				for j, o := range out {
					if m.Type.Out(j) == errType {
						err, _ := o.Interface().(error) // may be nil
						assert.Error(t, err, "%s returned no error", name)
					}
				}
			}
		}
	}
}

// A zero-value handle's errors say what to do; so does a zero Loop's.
func TestZeroValueMessages(t *testing.T) {
	var tm Timer
	err := tm.Start(0, 0, func(*Timer) {})
	assert.ErrorIs(t, err, errNotCreated)
	assert.Contains(t, err.Error(), "NewTimer")
	assert.ErrorIs(t, tm.Close(nil), errNotCreated)
	assert.False(t, tm.IsActive())
	var l Loop
	_, err = l.Run(RunDefault)
	assert.ErrorIs(t, err, errLoopNotCreated)
	_, err = NewTimer(&l)
	assert.ErrorIs(t, err, errLoopNotCreated)
	_, err = NewTimer(nil)
	assert.ErrorIs(t, err, errLoopNotCreated)
	assert.Contains(t, err.Error(), "NewLoop")
}
