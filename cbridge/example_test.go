package cbridge_test

import (
	"fmt"

	"github.com/gouv/gouv/cbridge"
)

func ExampleTable() {
	var handles cbridge.Table[string]
	id := handles.New("timer #1") // the ID goes into handle->data
	v, ok := handles.Get(id)      // the callback finds the Go value
	fmt.Println(v, ok)
	handles.Delete(id) // in the close callback
	_, ok = handles.Get(id)
	fmt.Println(ok, handles.Len())
	// Output:
	// timer #1 true
	// false 0
}
