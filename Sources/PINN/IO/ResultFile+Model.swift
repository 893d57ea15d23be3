import Foundation

/// The trained model in a result file: /model (one network) or /model/window_<k> (time marching).
extension ResultFile {
    /// Writes the network under `/model`: the full parameter vector, each layer's weights (fanOut × fanIn) and
    /// bias, each hidden layer's activation amplitudes and slopes, and the architecture as attributes.
    static func writeModel(_ network: Network, to file: HDF5File, group: String = "/model") throws(HDF5Error) {
        let layout = network.layout
        try file.write("\(group)/parameters", network.parameters)
        for (l, layer) in layout.dense.enumerated() {
            let name = l < layout.depth ? "\(group)/layer_\(l + 1)" : "\(group)/output"
            // θ holds W column-major (fanOut × fanIn); HDF5 is row-major, so transpose into [fanOut][fanIn].
            var w = [Double](repeating: 0, count: layer.weightCount)
            for j in 0..<layer.fanOut {
                for i in 0..<layer.fanIn { w[j * layer.fanIn + i] = network.parameters[layer.weightOffset + j + i * layer.fanOut] }
            }
            try file.write("\(name)/weights", w, shape: [layer.fanOut, layer.fanIn])
            try file.write("\(name)/bias", Array(network.parameters[layer.biasOffset..<(layer.biasOffset + layer.fanOut)]))
            if l < layout.depth {
                let (amplitudes, slopes) = network.activationParameters(layer: l)
                try file.write("\(name)/activation_amplitudes", amplitudes)
                try file.write("\(name)/activation_slopes", slopes)
            }
        }
        try file.setAttribute("input_dimension", integer: Int64(layout.inputDimension), on: group)
        try file.setAttribute("hidden_widths", array: layout.hiddenWidths.map(Double.init), on: group)
        try file.setAttribute("output_dimension", integer: Int64(layout.outputDimension), on: group)
        try file.setAttribute("unknown_count", integer: Int64(layout.unknownCount), on: group)
        if let embedding = layout.embedding {
            // Periodic coordinates: the first layer reads cos(kωx), sin(kωx), k = 1…K, in place of x.
            try file.setAttribute("periodic_coordinates", array: embedding.coordinates.map { Double($0.index) }, on: group)
            try file.setAttribute("periods", array: embedding.coordinates.map(\.period), on: group)
            try file.setAttribute("harmonics", array: embedding.coordinates.map { Double($0.harmonics) }, on: group)
        }
        if layout.residual { try file.setAttribute("residual_blocks", integer: 1, on: group) }
        if let partition = layout.partition {
            // The random feature method's partition of unity on the hidden layer (PartitionOfUnity).
            try file.setAttribute("partition_lower", array: partition.lower, on: group)
            try file.setAttribute("partition_upper", array: partition.upper, on: group)
            try file.setAttribute("partition_counts", array: partition.counts.map(Double.init), on: group)
            try file.setAttribute("partition_features_per_subdomain", integer: Int64(partition.featuresPerSubdomain), on: group)
            try file.setAttribute("partition_variant", partition.variant.rawValue, on: group)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(network.activations)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        try file.setAttribute("activations", json, on: group)
        try file.setAttribute("output_constraint", network.outputConstraint?.description ?? "none", on: group)
        if !network.unknownRanges.isEmpty {
            // θ in /model/parameters is unconstrained; the unknowns' values are λ = map(θ) in these ranges.
            let ranges = (try? encoder.encode(network.unknownRanges)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
            try file.setAttribute("unknown_ranges", ranges, on: group)
        }
    }

    /// Rebuilds the trained network stored in the result file at `path` (its output layer, activations and, for
    /// problem-file runs, its hard Dirichlet constraint): `ResultFile.readNetwork(path: "result.h5")(x)`.
    public static func readNetwork(path: String) throws(HDF5Error) -> Network {
        let file = try HDF5File.open(path)
        defer { file.close() }
        return try readNetwork(from: file)
    }

    /// The partition of unity stored in /model's attributes (nil when there is none).
    static func readPartition(from file: HDF5File, group: String, dimension d: Int,
                              width: Int) throws(HDF5Error) -> PartitionOfUnity? {
        guard file.hasAttribute("partition_counts", on: group) else { return nil }
        let lower = try file.numberArrayAttribute("partition_lower", on: group)
        let upper = try file.numberArrayAttribute("partition_upper", on: group)
        let counts = try file.numberArrayAttribute("partition_counts", on: group)
        let j = try file.wholeNumberAttribute("partition_features_per_subdomain", on: group, in: 1...100_000_000)
        guard lower.count == d, upper.count == d, counts.count == d, zip(lower, upper).allSatisfy({ $0 < $1 }),
              counts.allSatisfy({ $0 >= 1 && $0 <= 1000 && $0 == $0.rounded() }), j >= 1,
              Int(counts.reduce(1, *)) * j == width else {
            throw HDF5Error(message: "'\(file.path)': \(group)'s partition-of-unity attributes are not valid")
        }
        var variant = PartitionOfUnity.Variant.smooth  // files written before the indicator variant existed
        if file.hasAttribute("partition_variant", on: group) {
            let name = try file.stringAttribute("partition_variant", on: group)
            guard let v = PartitionOfUnity.Variant(rawValue: name) else {
                throw HDF5Error(message: "'\(file.path)': \(group)'s partition_variant '\(name)' is not smooth or indicator")
            }
            variant = v
        }
        return PartitionOfUnity(lower: lower, upper: upper, counts: counts.map { Int($0) }, featuresPerSubdomain: j,
                                variant: variant)
    }

    /// The periodic input embedding stored in /model's attributes (nil when there is none).
    static func readEmbedding(from file: HDF5File, group: String,
                              inputDimension d: Int) throws(HDF5Error) -> PeriodicEmbedding? {
        guard file.hasAttribute("periodic_coordinates", on: group) else { return nil }
        let indices = try file.numberArrayAttribute("periodic_coordinates", on: group)
        let periods = try file.numberArrayAttribute("periods", on: group)
        let harmonics = try file.numberArrayAttribute("harmonics", on: group)
        guard indices.count == periods.count, indices.count == harmonics.count,
              indices.allSatisfy({ $0 >= 0 && $0 < Double(d) && $0 == $0.rounded() }), Set(indices).count == indices.count,
              periods.allSatisfy({ $0 > 0 && $0.isFinite }), harmonics.allSatisfy({ $0 >= 1 && $0 <= 1e4 && $0 == $0.rounded() })
        else { throw HDF5Error(message: "'\(file.path)': \(group)'s periodic embedding attributes are not valid") }
        return PeriodicEmbedding(inputDimension: d, coordinates: indices.indices.map {
            PeriodicEmbedding.Coordinate(index: Int(indices[$0]), period: periods[$0], harmonics: Int(harmonics[$0]))
        })
    }

    /// Rebuilds the trained model from a result file: its network, or one network per time window (time marching;
    /// /model/window_<k> with the edges in /model's attribute `time_windows`).
    public static func readModel(from file: HDF5File) throws(HDF5Error) -> TrainedModel {
        guard file.hasAttribute("time_windows", on: "/model") else { return TrainedModel(try readNetwork(from: file)) }
        let edges = try file.numberArrayAttribute("time_windows", on: "/model")
        guard edges.count >= 3, edges.count <= 10_001, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw HDF5Error(message: "'\(file.path)': /model attribute 'time_windows' must increase, with at least two windows")
        }
        var networks: [Network] = []
        for k in 0..<(edges.count - 1) {
            let network = try readNetwork(from: file, group: "/model/window_\(k)")
            guard networks.isEmpty || network.layout == networks[0].layout else {
                throw HDF5Error(message: "'\(file.path)': /model/window_\(k) has another architecture than window 0")
            }
            networks.append(network)
        }
        return TrainedModel(networks: networks, windowEdges: edges)
    }

    /// Rebuilds the trained model stored in the result file at `path`.
    public static func readModel(path: String) throws(HDF5Error) -> TrainedModel {
        let file = try HDF5File.open(path)
        defer { file.close() }
        return try readModel(from: file)
    }

    /// Rebuilds the trained network from a result file.
    public static func readNetwork(from file: HDF5File, group: String = "/model") throws(HDF5Error) -> Network {
        let d = try file.wholeNumberAttribute("input_dimension", on: group, in: 1...Domains.maximumCoordinates)
        let activationsJSON = try file.stringAttribute("activations", on: group)
        guard let activations = try? JSONDecoder().decode([LayerActivation].self, from: Data(activationsJSON.utf8)) else {
            throw HDF5Error(message: "'\(file.path)': \(group) attribute 'activations' is not valid")
        }
        var widths: [Int] = []
        while file.exists("\(group)/layer_\(widths.count + 1)/bias") {
            widths.append(try file.read("\(group)/layer_\(widths.count + 1)/bias").values.count)
        }
        guard !widths.isEmpty, widths.count == activations.count else {
            throw HDF5Error(message: "'\(file.path)': \(group) does not describe a network")
        }
        // Files written before systems existed have one output and no attribute.
        let m = file.hasAttribute("output_dimension", on: group)
            ? try file.wholeNumberAttribute("output_dimension", on: group, in: 1...1000) : 1
        guard m >= 1 else { throw HDF5Error(message: "'\(file.path)': \(group) attribute 'output_dimension' is \(m)") }
        let unknowns = file.hasAttribute("unknown_count", on: group)
            ? try file.wholeNumberAttribute("unknown_count", on: group, in: 0...1000) : 0
        guard unknowns >= 0 else { throw HDF5Error(message: "'\(file.path)': \(group) attribute 'unknown_count' is \(unknowns)") }
        let residual = file.hasAttribute("residual_blocks", on: group)
            ? try file.numberAttribute("residual_blocks", on: group) != 0 : false
        let layout = NetworkLayout(inputDimension: d, hiddenWidths: widths, termCounts: activations.map(\.termCount),
                                   neuronWise: activations.map(\.neuronWise), outputDimension: m, unknownCount: unknowns,
                                   embedding: try readEmbedding(from: file, group: group, inputDimension: d),
                                   partition: try readPartition(from: file, group: group, dimension: d, width: widths.last!),
                                   residual: residual)
        let theta = try file.read("\(group)/parameters").values
        guard theta.count == layout.parameterCount else {
            throw HDF5Error(message: "'\(file.path)': \(group)/parameters has \(theta.count) values, the architecture needs \(layout.parameterCount)")
        }
        var network = Network(layout: layout, activations: activations, parameters: theta)
        if file.hasAttribute("unknown_ranges", on: group) {
            let json = try file.stringAttribute("unknown_ranges", on: group)
            guard let ranges = try? JSONDecoder().decode([UnknownRange].self, from: Data(json.utf8)) else {
                throw HDF5Error(message: "'\(file.path)': \(group) attribute 'unknown_ranges' is not valid")
            }
            network.unknownRanges = ranges
        }
        if file.hasAttribute("output_constraint", on: group),
           try file.stringAttribute("output_constraint", on: group) != "none" {
            // The constraint's g and D are functions: rebuild them from the problem file stored in the result.
            let text = try file.stringAttribute("problem_file")
            guard !text.isEmpty, let parsed = try? ProblemFile.parse(text, path: try file.stringAttribute("problem_path")),
                  let constraint = (try? Solver(problem: parsed.problem, configuration: parsed.configuration))?.makeNetwork().outputConstraint
            else {
                throw HDF5Error(message: "'\(file.path)': the model has a hard Dirichlet constraint (u = g + D·N) whose g "
                                + "and D were defined in Swift code, not in a problem file; rebuild it with Network.outputConstraint")
            }
            network.outputConstraint = constraint
        }
        return network
    }
}
