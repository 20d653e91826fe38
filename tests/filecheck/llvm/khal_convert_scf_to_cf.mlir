// RUN: khal-opt %s -p khal-convert-scf-to-cf | filecheck %s

// scf.while becomes a header block (the "before" region) branching to the body or the exit;
// an scf.if inside it and the scf.for around it are lowered in the same walk.
// CHECK-LABEL: func.func @loops(
// CHECK:       cf.br ^[[FOR:.*]](%lb, %x : i32, i32)
// CHECK:     ^[[FOR]](%{{.*}}: i32, %{{.*}}: i32):
// CHECK:       cf.cond_br %{{.*}}, ^{{.*}}, ^[[END:.*]]
// CHECK:       cf.br ^[[HEAD:.*]](%{{.*}} : i32)
// CHECK:     ^[[HEAD]](%{{.*}}: i32):
// CHECK:       cf.cond_br %{{.*}}, ^[[BODY:.*]](%{{.*}} : i32), ^[[EXIT:.*]](%{{.*}} : i32)
// CHECK:     ^[[BODY]](%{{.*}}: i32):
// CHECK:       cf.cond_br
// CHECK:       cf.br ^[[HEAD]](%{{.*}} : i32)
// CHECK:     ^[[EXIT]](%{{.*}}: i32):
// CHECK-NOT: scf.
func.func @loops(%lb: i32, %ub: i32, %x: i32) -> i32 {
  %c1 = arith.constant 1 : i32
  %c10 = arith.constant 10 : i32
  %out = scf.for %i = %lb to %ub step %c1 iter_args(%acc = %x) -> (i32) : i32 {
    %r = scf.while (%y = %acc) : (i32) -> i32 {
      %go = arith.cmpi slt, %y, %c10 : i32
      scf.condition(%go) %y : i32
    } do {
    ^bb0(%z: i32):
      %odd = arith.cmpi eq, %z, %i : i32
      %n = scf.if %odd -> (i32) {
        %t = arith.addi %z, %c1 : i32
        scf.yield %t : i32
      } else {
        %t = arith.addi %z, %c10 : i32
        scf.yield %t : i32
      }
      scf.yield %n : i32
    }
    scf.yield %r : i32
  }
  func.return %out : i32
}
