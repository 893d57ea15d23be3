/// The XDMF sidecar that lets ParaView/VTK, VisIt and meshio open a result directly. The mesh is written explicitly —
/// node coordinates and cells under /mesh in the result file — because meshio reads only explicit topologies (`XY`
/// or `XYZ` geometry with a cell list, not VTK's rectilinear `2DRectMesh`), and each field is referenced as a flat
/// node array (/mesh/NAME, a copy of /solution/NAME in node order) because meshio does not apply XDMF hyperslabs.
enum XDMF {
    /// A structured grid drawn as cells: lines (1D), quadrilaterals (2D) or hexahedra (3D) between neighbouring grid
    /// nodes; node p of the grid is the p-th point with the first axis fastest (the order of /solution's values).
    struct Mesh: Equatable {
        /// Nodes per axis (nx, ny, nz).
        let counts: [Int]

        var pointCount: Int { counts.reduce(1, *) }
        var cellCount: Int { counts.map { max($0 - 1, 1) }.reduce(1, *) }
        var nodesPerCell: Int { 1 << counts.count }
        var topologyType: String { ["Polyline", "Quadrilateral", "Hexahedron"][counts.count - 1] }
        /// XY for lines and quadrilaterals (a 1D grid lies on y = 0), XYZ for hexahedra.
        var geometryColumns: Int { max(2, counts.count) }

        /// The node coordinates, pointCount × geometryColumns, row-major.
        func points(axes: [[Double]]) -> [Double] {
            precondition(axes.map(\.count) == counts)
            var result = [Double](repeating: 0, count: pointCount * geometryColumns)
            for p in 0..<pointCount {
                var rest = p
                for (i, axis) in axes.enumerated() {
                    result[p * geometryColumns + i] = axis[rest % counts[i]]
                    rest /= counts[i]
                }
            }
            return result
        }

        /// The cells' node indices, cellCount × nodesPerCell, row-major, in VTK's/XDMF's node order (counter-
        /// clockwise in each quadrilateral; a hexahedron's bottom face, then its top face).
        func cells() -> [Int64] {
            let nx = counts[0], ny = counts.count > 1 ? counts[1] : 1
            var result: [Int64] = []
            result.reserveCapacity(cellCount * nodesPerCell)
            switch counts.count {
            case 1:
                for i in 0..<(nx - 1) { result += [Int64(i), Int64(i + 1)] }
            case 2:
                for j in 0..<(ny - 1) {
                    for i in 0..<(nx - 1) {
                        let p = i + nx * j
                        result += [p, p + 1, p + 1 + nx, p + nx].map(Int64.init)
                    }
                }
            default:
                let layer = nx * ny
                for k in 0..<(counts[2] - 1) {
                    for j in 0..<(ny - 1) {
                        for i in 0..<(nx - 1) {
                            let p = i + nx * j + layer * k
                            let bottom = [p, p + 1, p + 1 + nx, p + nx]
                            result += (bottom + bottom.map { $0 + layer }).map(Int64.init)
                        }
                    }
                }
            }
            return result
        }
    }

    /// The Topology and Geometry elements of `mesh`, its data in `h5Name` under /mesh, indented by `indent`.
    static func meshElements(_ mesh: Mesh, h5Name: String, indent: String) -> String {
        let geometry = mesh.geometryColumns == 2 ? "XY" : "XYZ"
        return indent + "<Topology TopologyType=\"\(mesh.topologyType)\" NumberOfElements=\"\(mesh.cellCount)\" "
            + "NodesPerElement=\"\(mesh.nodesPerCell)\">\n"
            + indent + "  <DataItem Dimensions=\"\(mesh.cellCount) \(mesh.nodesPerCell)\" NumberType=\"Int\" "
            + "Precision=\"8\" Format=\"HDF\">\(h5Name):/mesh/cells</DataItem>\n"
            + indent + "</Topology>\n"
            + indent + "<Geometry GeometryType=\"\(geometry)\">\n"
            + indent + "  <DataItem Dimensions=\"\(mesh.pointCount) \(mesh.geometryColumns)\" NumberType=\"Float\" "
            + "Precision=\"8\" Format=\"HDF\">\(h5Name):/mesh/points</DataItem>\n"
            + indent + "</Geometry>\n"
    }

    /// Node-centred scalar attributes, each read from `path(name)` in `h5Name`.
    static func attributes(_ names: [String], pointCount: Int, h5Name: String, indent: String,
                           path: (String) -> String) -> String {
        names.map { name in
            indent + "<Attribute Name=\"\(name)\" AttributeType=\"Scalar\" Center=\"Node\">\n"
                + indent + "  <DataItem Dimensions=\"\(pointCount)\" NumberType=\"Float\" Precision=\"8\" "
                + "Format=\"HDF\">\(h5Name):\(path(name))</DataItem>\n"
                + indent + "</Attribute>\n"
        }.joined()
    }

    static func wrap(_ grids: String) -> String {
        "<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n  <Domain>\n" + grids + "  </Domain>\n</Xdmf>\n"
    }

    /// The sidecar of a steady result (1D, 2D or 3D; a 1D-in-space time-dependent result is its (x, t) plane): one
    /// uniform grid with every /solution dataset as a node attribute (/mesh/NAME).
    static func document(h5Name: String, mesh: Mesh, datasets: [String]) -> String {
        wrap("    <Grid Name=\"pinn\" GridType=\"Uniform\">\n"
             + meshElements(mesh, h5Name: h5Name, indent: "      ")
             + attributes(datasets, pointCount: mesh.pointCount, h5Name: h5Name, indent: "      ") { "/mesh/" + $0 }
             + "    </Grid>\n")
    }

    /// The sidecar of a time-dependent result with 2 or 3 space dimensions: a temporal collection (ParaView, VisIt
    /// and meshio's time-series reader play it as an animation) of one grid per output time tₖ, each with the same
    /// mesh and the fields of that time (/mesh/step_k/NAME).
    static func temporalDocument(h5Name: String, mesh: Mesh, times: [Double], datasets: [String]) -> String {
        let steps = times.enumerated().map { k, t in
            "      <Grid Name=\"t\(k)\" GridType=\"Uniform\">\n        <Time Value=\"\(t)\"/>\n"
                + meshElements(mesh, h5Name: h5Name, indent: "        ")
                + attributes(datasets, pointCount: mesh.pointCount, h5Name: h5Name, indent: "        ") {
                    "/mesh/step_\(k)/" + $0
                }
                + "      </Grid>\n"
        }.joined()
        return wrap("    <Grid Name=\"pinn\" GridType=\"Collection\" CollectionType=\"Temporal\">\n" + steps
                    + "    </Grid>\n")
    }
}
