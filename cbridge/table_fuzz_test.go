package cbridge

import "testing"

// FuzzTable applies a random sequence of New, Get and Delete to a Table and
// to a map model, and checks that they agree, including on stale IDs.
func FuzzTable(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 0, 1, 1, 2})
	f.Add([]byte{0, 1, 0, 1, 0, 1, 2, 2, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var tb Table[int]
		model := map[ID]int{}
		var issued []ID // every ID ever returned, live or not
		for i, op := range ops {
			var pick ID
			if len(issued) > 0 {
				pick = issued[int(op>>2)%len(issued)]
			}
			switch op % 3 {
			case 0:
				id := tb.New(i)
				if id == 0 {
					t.Fatal("New returned the zero ID")
				}
				if _, dup := model[id]; dup {
					t.Fatalf("New returned live ID %x twice", id)
				}
				model[id] = i
				issued = append(issued, id)
			case 1:
				got, ok := tb.Get(pick)
				want, wok := model[pick]
				if ok != wok || got != want {
					t.Fatalf("Get(%x) = %v,%v; model %v,%v", pick, got, ok, want, wok)
				}
			case 2:
				_, wok := model[pick]
				if ok := tb.Delete(pick); ok != wok {
					t.Fatalf("Delete(%x) = %v; model %v", pick, ok, wok)
				}
				delete(model, pick)
			}
			if tb.Len() != len(model) {
				t.Fatalf("Len = %d; model %d", tb.Len(), len(model))
			}
		}
		n := 0
		tb.Range(func(id ID, v int) bool {
			if model[id] != v {
				t.Fatalf("Range gave %x=%v; model %v", id, v, model[id])
			}
			n++
			return true
		})
		if n != len(model) {
			t.Fatalf("Range visited %d; model %d", n, len(model))
		}
	})
}
