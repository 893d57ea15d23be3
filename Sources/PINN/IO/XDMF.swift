/// The XDMF sidecar that lets ParaView and VisIt open a 2D result directly.
enum XDMF {
    /// The sidecar of a 2D or 3D result: a rectilinear grid (`2DRectMesh` or `3DRectMesh` with `VXVY` or `VXVYVZ`
    /// geometry) over /grid/x, /grid/y (and /grid/z), and the node-centred datasets of /solution, whose HDF5 shape
    /// (ny × nx or nz × ny × nx, the last axis fastest) is XDMF's dimension order. `counts` are nx, ny (, nz).
    /// `axes` names the grid datasets (/grid/x, /grid/t, …); a time axis is drawn as the last spatial one.
    static func document(h5Name: String, counts: [Int], datasets: [String], axes names: [String]? = nil) -> String {
        precondition(counts.count == 2 || counts.count == 3)
        let axes = names ?? Array(["x", "y", "z"].prefix(counts.count))
        let geometryType = ["x", "y", "z"].prefix(counts.count).map { "V" + $0.uppercased() }.joined()
        let dimensions = counts.reversed().map(String.init).joined(separator: " ")
        func attribute(_ name: String, _ dataset: String) -> String {
            """
                  <Attribute Name="\(name)" AttributeType="Scalar" Center="Node">
                    <DataItem Dimensions="\(dimensions)" NumberType="Float" Precision="8" Format="HDF">\(h5Name):\(dataset)</DataItem>
                  </Attribute>

            """
        }
        let fields = datasets.map { attribute($0, "/solution/" + $0) }.joined()
        let geometry = zip(axes, counts).map { axis, count in
            """
                    <DataItem Dimensions="\(count)" NumberType="Float" Precision="8" Format="HDF">\(h5Name):/grid/\(axis)</DataItem>

            """
        }.joined()
        return """
        <?xml version="1.0" ?>
        <!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>
        <Xdmf Version="3.0">
          <Domain>
            <Grid Name="pinn" GridType="Uniform">
              <Topology TopologyType="\(counts.count)DRectMesh" Dimensions="\(dimensions)"/>
              <Geometry GeometryType="\(geometryType)">
        \(geometry)      </Geometry>
        \(fields)    </Grid>
          </Domain>
        </Xdmf>

        """
    }

    /// The sidecar of a 2D-in-space time-dependent result: a temporal collection (ParaView and VisIt play it as an
    /// animation) of one `2DRectMesh` per output time tₖ, each field of that grid read from slice k of the
    /// (nt × ny × nx) dataset through an XDMF hyperslab (start k 0 0, stride 1 1 1, count 1 ny nx).
    static func temporalDocument(h5Name: String, spatialCounts counts: [Int], times: [Double], datasets: [String],
                                 axes: [String]) -> String {
        precondition(counts.count == 2 && axes.count == 2)
        let (nx, ny, nt) = (counts[0], counts[1], times.count)
        let geometry = zip(axes, counts).map { axis, count in
            """
                      <DataItem Dimensions="\(count)" NumberType="Float" Precision="8" Format="HDF">\(h5Name):/grid/\(axis)</DataItem>

            """
        }.joined()
        var steps = ""
        for (k, t) in times.enumerated() {
            var attributes = ""
            for name in datasets {
                attributes += """
                        <Attribute Name="\(name)" AttributeType="Scalar" Center="Node">
                          <DataItem ItemType="HyperSlab" Dimensions="1 \(ny) \(nx)" Type="HyperSlab">
                            <DataItem Dimensions="3 3" Format="XML">\(k) 0 0 1 1 1 1 \(ny) \(nx)</DataItem>
                            <DataItem Dimensions="\(nt) \(ny) \(nx)" NumberType="Float" Precision="8" Format="HDF">\(h5Name):/solution/\(name)</DataItem>
                          </DataItem>
                        </Attribute>

                """
            }
            steps += """
                  <Grid Name="t\(k)" GridType="Uniform">
                    <Time Value="\(t)"/>
                    <Topology TopologyType="2DRectMesh" Dimensions="\(ny) \(nx)"/>
                    <Geometry GeometryType="VXVY">
            \(geometry)        </Geometry>
            \(attributes)      </Grid>

            """
        }
        return """
        <?xml version="1.0" ?>
        <!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>
        <Xdmf Version="3.0">
          <Domain>
            <Grid Name="pinn" GridType="Collection" CollectionType="Temporal">
        \(steps)    </Grid>
          </Domain>
        </Xdmf>

        """
    }
}
