import CHDF5
import Foundation

/// An HDF5 failure: which operation on which object.
public struct HDF5Error: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A minimal, typed HDF5 file: groups, Float64 and Int64 datasets of any rank, and scalar attributes (Float64,
/// Int64, variable-length UTF-8 strings, which h5py reads as `str`). Paths are absolute (`/solution/u`).
public final class HDF5File {
    private var id: hid_t
    public let path: String

    private init(id: hid_t, path: String) {
        self.id = id
        self.path = path
    }

    deinit { close() }

    /// Creates (or truncates) a file.
    public static func create(_ path: String) throws(HDF5Error) -> HDF5File {
        pinn_h5_silence_errors()
        // The 1.8 format (readable by HDF5 1.8 and later: h5py, MATLAB, ParaView): its metadata are checksummed, so a
        // damaged file is refused by the library instead of being misread.
        let access = pinn_h5p_checksummed_file_access()
        defer { H5Pclose(access) }
        let id = H5Fcreate(path, pinn_h5f_acc_trunc(), pinn_h5p_default(), access)
        guard id >= 0 else { throw HDF5Error(message: "cannot create HDF5 file '\(path)'") }
        return HDF5File(id: id, path: path)
    }

    /// Opens an existing file to change it (attributes of a result, in tests of damaged files).
    static func openForWriting(_ path: String) throws(HDF5Error) -> HDF5File {
        pinn_h5_silence_errors()
        let id = H5Fopen(path, pinn_h5f_acc_rdwr(), pinn_h5p_default())
        guard id >= 0 else { throw HDF5Error(message: "cannot open HDF5 file '\(path)' for writing") }
        return HDF5File(id: id, path: path)
    }

    /// Opens an existing file read-only.
    public static func open(_ path: String) throws(HDF5Error) -> HDF5File {
        pinn_h5_silence_errors()
        guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error(message: "no such file '\(path)'") }
        guard H5Fis_hdf5(path) > 0 else { throw HDF5Error(message: "'\(path)' is not an HDF5 file") }
        let id = H5Fopen(path, pinn_h5f_acc_rdonly(), pinn_h5p_default())
        guard id >= 0 else { throw HDF5Error(message: "cannot open HDF5 file '\(path)'") }
        return HDF5File(id: id, path: path)
    }

    /// Flushes and closes the file (also done on deinit).
    public func close() {
        if id >= 0 {
            H5Fclose(id)
            id = -1
        }
    }

    /// Whether an object (group or dataset) exists at `path`.
    public func exists(_ path: String) -> Bool {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(id, prefix, pinn_h5p_default()) <= 0 { return false }
        }
        return true
    }

    /// Creates a group and any missing parents.
    public func createGroup(_ path: String) throws(HDF5Error) {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(id, prefix, pinn_h5p_default()) > 0 { continue }
            let g = H5Gcreate2(id, prefix, pinn_h5p_default(), pinn_h5p_default(), pinn_h5p_default())
            guard g >= 0 else { throw HDF5Error(message: "cannot create group '\(prefix)' in '\(self.path)'") }
            H5Gclose(g)
        }
    }

    private func ensureParent(_ path: String) throws(HDF5Error) {
        let parent = (path as NSString).deletingLastPathComponent
        if parent != "/" && !parent.isEmpty { try createGroup(parent) }
    }

    /// Writes a Float64 dataset of the given shape (C order: the last index fastest).
    public func write(_ path: String, _ values: [Double], shape: [Int]? = nil) throws(HDF5Error) {
        try writeRaw(path, values, shape: shape ?? [values.count], type: pinn_h5t_native_double())
    }

    /// Writes an Int64 dataset of the given shape.
    public func write(_ path: String, integers values: [Int64], shape: [Int]? = nil) throws(HDF5Error) {
        try writeRaw(path, values, shape: shape ?? [values.count], type: pinn_h5t_native_int64())
    }

    private func writeRaw<T>(_ path: String, _ values: [T], shape: [Int], type: hid_t) throws(HDF5Error) {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the number of values")
        try ensureParent(path)
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        guard space >= 0 else { throw HDF5Error(message: "cannot create dataspace for '\(path)'") }
        defer { H5Sclose(space) }
        let dset = H5Dcreate2(id, path, type, space, pinn_h5p_default(), pinn_h5p_default(), pinn_h5p_default())
        guard dset >= 0 else { throw HDF5Error(message: "cannot create dataset '\(path)' in '\(self.path)'") }
        defer { H5Dclose(dset) }
        let status = values.withUnsafeBytes { H5Dwrite(dset, type, H5S_ALL, H5S_ALL, pinn_h5p_default(), $0.baseAddress) }
        guard status >= 0 else { throw HDF5Error(message: "cannot write dataset '\(path)'") }
    }

    /// Reads a dataset as Float64 (converting integers), with its shape.
    public func read(_ path: String) throws(HDF5Error) -> (values: [Double], shape: [Int]) {
        try readRaw(path, type: pinn_h5t_native_double(), zero: 0.0)
    }

    /// Reads an integer dataset as Int64 (exactly: no detour through Float64), with its shape.
    public func readIntegers(_ path: String) throws(HDF5Error) -> (values: [Int64], shape: [Int]) {
        try readRaw(path, type: pinn_h5t_native_int64(), zero: Int64(0))
    }

    private func readRaw<T>(_ path: String, type: hid_t, zero: T) throws(HDF5Error) -> (values: [T], shape: [Int]) {
        guard exists(path) else { throw HDF5Error(message: "'\(self.path)' has no dataset '\(path)'") }
        let dset = H5Dopen2(id, path, pinn_h5p_default())
        guard dset >= 0 else { throw HDF5Error(message: "cannot open dataset '\(path)'") }
        defer { H5Dclose(dset) }
        let space = H5Dget_space(dset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard (0...32).contains(rank) else { throw HDF5Error(message: "'\(self.path)': dataset '\(path)' has no valid shape") }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        // A corrupted or foreign file may claim any size: refuse what cannot be an array in memory before allocating.
        var count = 1
        for d in dims.prefix(rank) {
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: d))
            guard !overflow, d <= hsize_t(Int.max), product <= Self.maximumReadCount else {
                throw HDF5Error(message: "'\(self.path)': dataset '\(path)' claims shape \(dims.prefix(rank).map { $0 }), more values than can be read (at most \(Self.maximumReadCount))")
            }
            count = product
        }
        let shape = dims.prefix(rank).map { Int($0) }
        var values = [T](repeating: zero, count: count)
        let status = values.withUnsafeMutableBytes {
            H5Dread(dset, type, H5S_ALL, H5S_ALL, pinn_h5p_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw HDF5Error(message: "cannot read dataset '\(path)'") }
        return (values, shape)
    }

    /// The most values one dataset read may return: an eighth of the machine's memory in Float64.
    static let maximumReadCount = Int(ProcessInfo.processInfo.physicalMemory / 64)

    // MARK: Attributes

    private func withObject<R>(_ path: String, _ body: (hid_t) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        let obj = H5Oopen(id, path, pinn_h5p_default())
        guard obj >= 0 else { throw HDF5Error(message: "'\(self.path)' has no object '\(path)'") }
        defer { H5Oclose(obj) }
        return try body(obj)
    }

    private func writeScalarAttribute(_ object: String, _ name: String, type: hid_t, value: UnsafeRawPointer) throws(HDF5Error) {
        try withObject(object) { (obj) throws(HDF5Error) in
            if H5Aexists(obj, name) > 0 { H5Adelete(obj, name) }
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            let attr = H5Acreate2(obj, name, type, space, pinn_h5p_default(), pinn_h5p_default())
            guard attr >= 0 else { throw HDF5Error(message: "cannot create attribute '\(name)' on '\(object)'") }
            defer { H5Aclose(attr) }
            guard H5Awrite(attr, type, value) >= 0 else { throw HDF5Error(message: "cannot write attribute '\(name)'") }
        }
    }

    /// Sets a Float64 attribute on the object at `object` ("/" for the root).
    public func setAttribute(_ name: String, _ value: Double, on object: String = "/") throws(HDF5Error) {
        var v = value
        try writeScalarAttribute(object, name, type: pinn_h5t_native_double(), value: &v)
    }

    /// Sets an Int64 attribute.
    public func setAttribute(_ name: String, integer value: Int64, on object: String = "/") throws(HDF5Error) {
        var v = value
        try writeScalarAttribute(object, name, type: pinn_h5t_native_int64(), value: &v)
    }

    /// Sets a variable-length UTF-8 string attribute.
    public func setAttribute(_ name: String, _ value: String, on object: String = "/") throws(HDF5Error) {
        let type = H5Tcopy(pinn_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, pinn_h5t_variable())
        H5Tset_cset(type, H5T_CSET_UTF8)
        let bytes = Array(value.utf8CString)
        let cstr = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        defer { cstr.deallocate() }
        cstr.initialize(from: bytes, count: bytes.count)
        var pointer: UnsafePointer<CChar>? = UnsafePointer(cstr)
        try writeScalarAttribute(object, name, type: type, value: &pointer)
    }

    /// Sets a Float64 array attribute (e.g. the list of ε values).
    public func setAttribute(_ name: String, array values: [Double], on object: String = "/") throws(HDF5Error) {
        try withObject(object) { (obj) throws(HDF5Error) in
            if H5Aexists(obj, name) > 0 { H5Adelete(obj, name) }
            var dims = [hsize_t(values.count)]
            let space = H5Screate_simple(1, &dims, nil)
            defer { H5Sclose(space) }
            let attr = H5Acreate2(obj, name, pinn_h5t_native_double(), space, pinn_h5p_default(), pinn_h5p_default())
            guard attr >= 0 else { throw HDF5Error(message: "cannot create attribute '\(name)' on '\(object)'") }
            defer { H5Aclose(attr) }
            _ = values.withUnsafeBytes { H5Awrite(attr, pinn_h5t_native_double(), $0.baseAddress) }
        }
    }

    /// Reads a string attribute (variable or fixed length).
    public func stringAttribute(_ name: String, on object: String = "/") throws(HDF5Error) -> String {
        try withObject(object) { (obj) throws(HDF5Error) -> String in
            guard H5Aexists(obj, name) > 0 else { throw HDF5Error(message: "'\(object)' has no attribute '\(name)'") }
            let attr = H5Aopen(obj, name, pinn_h5p_default())
            defer { H5Aclose(attr) }
            let fileType = H5Aget_type(attr)
            defer { H5Tclose(fileType) }
            if H5Tis_variable_str(fileType) > 0 {
                let memType = H5Tcopy(pinn_h5t_c_s1())
                defer { H5Tclose(memType) }
                H5Tset_size(memType, pinn_h5t_variable())
                H5Tset_cset(memType, H5T_CSET_UTF8)
                var pointer: UnsafeMutablePointer<CChar>?
                guard H5Aread(attr, memType, &pointer) >= 0, let pointer else { throw HDF5Error(message: "cannot read attribute '\(name)'") }
                defer { free(pointer) }
                return String(cString: pointer)
            }
            let size = H5Tget_size(fileType)
            let space = H5Aget_space(attr)
            defer { H5Sclose(space) }
            // One fixed-size string; H5Aread writes size bytes per element, so anything else is refused.
            guard H5Sget_simple_extent_npoints(space) == 1, size > 0, size <= 64 << 20,
                  H5Tget_class(fileType) == H5T_STRING else {
                throw HDF5Error(message: "'\(path)': attribute '\(name)' of '\(object)' is not a text attribute")
            }
            var buffer = [CChar](repeating: 0, count: size + 1)
            guard H5Aread(attr, fileType, &buffer) >= 0 else { throw HDF5Error(message: "cannot read attribute '\(name)'") }
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Reads a numeric scalar attribute as Float64.
    public func numberAttribute(_ name: String, on object: String = "/") throws(HDF5Error) -> Double {
        try withObject(object) { (obj) throws(HDF5Error) -> Double in
            guard H5Aexists(obj, name) > 0 else { throw HDF5Error(message: "'\(object)' has no attribute '\(name)'") }
            let attr = H5Aopen(obj, name, pinn_h5p_default())
            defer { H5Aclose(attr) }
            var v = 0.0
            guard H5Aread(attr, pinn_h5t_native_double(), &v) >= 0 else { throw HDF5Error(message: "cannot read attribute '\(name)'") }
            return v
        }
    }

    /// Reads a number attribute that must be a whole number in `range` (a file that says otherwise is refused, never
    /// converted with a trap).
    public func wholeNumberAttribute(_ name: String, on object: String = "/",
                                     in range: ClosedRange<Int>) throws(HDF5Error) -> Int {
        let value = try numberAttribute(name, on: object)
        guard value.isFinite, value == value.rounded(), value >= Double(range.lowerBound),
              value <= Double(range.upperBound) else {
            throw HDF5Error(message: "'\(path)': attribute '\(name)' of '\(object)' is \(value); expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(value)
    }

    /// Reads a Float64 array attribute.
    public func numberArrayAttribute(_ name: String, on object: String = "/") throws(HDF5Error) -> [Double] {
        try withObject(object) { (obj) throws(HDF5Error) -> [Double] in
            guard H5Aexists(obj, name) > 0 else { throw HDF5Error(message: "'\(object)' has no attribute '\(name)'") }
            let attr = H5Aopen(obj, name, pinn_h5p_default())
            defer { H5Aclose(attr) }
            let space = H5Aget_space(attr)
            defer { H5Sclose(space) }
            let count = Int(H5Sget_simple_extent_npoints(space))
            guard (0...Self.maximumReadCount).contains(count) else {
                throw HDF5Error(message: "'\(path)': attribute '\(name)' of '\(object)' has no valid size")
            }
            var values = [Double](repeating: 0, count: max(count, 1))
            guard H5Aread(attr, pinn_h5t_native_double(), &values) >= 0 else { throw HDF5Error(message: "cannot read attribute '\(name)'") }
            return Array(values.prefix(count))
        }
    }

    /// Whether the object has an attribute of that name.
    public func hasAttribute(_ name: String, on object: String = "/") -> Bool {
        (try? withObject(object) { (obj) throws(HDF5Error) -> Bool in H5Aexists(obj, name) > 0 }) ?? false
    }
}
