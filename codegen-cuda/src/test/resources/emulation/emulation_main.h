// The emulated program's main: reads a launch plan and the input buffers, runs the kernels in
// order (zeroing the buffers they add into first), writes the output buffers. The including file
// defines adj_dispatch, which calls kernel number k with its typed arguments.
//
// plan.txt:  buffers N, then per buffer: id bytes_per_element elements is_input
//            launches M, then per launch: kernel blocks threads zeroed_count ids... arg_count args...
//            outputs K, then the ids
// Buffers are raw little-endian files in_ID.bin (read) and out_ID.bin (written), in the folder argv[1].
#include <string>

static void adj_dispatch(int kernel, void* const* buffers, const long long* args, dim3 grid, dim3 threads);

static std::vector<char> adj_read_file(const std::string& path, size_t bytes) {
  std::vector<char> data(bytes);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) emu::fail(("cannot open " + path).c_str());
  if (bytes > 0 && std::fread(data.data(), 1, bytes, f) != bytes) emu::fail(("short file " + path).c_str());
  std::fclose(f);
  return data;
}

int main(int argc, char** argv) {
  if (argc != 2) emu::fail("usage: program FOLDER");
  std::string dir = argv[1];
  FILE* plan = std::fopen((dir + "/plan.txt").c_str(), "r");
  if (!plan) emu::fail("no plan.txt");
  auto next = [&]() {
    long long v;
    if (std::fscanf(plan, "%lld", &v) != 1) emu::fail("plan.txt ends early");
    return v;
  };
  long long n = next();
  std::vector<std::vector<char>> storage(n);
  std::vector<void*> pointers(n);
  std::vector<long long> element_bytes(n);
  for (long long i = 0; i < n; ++i) {
    long long id = next(), bytes = next(), count = next(), input = next();
    element_bytes[id] = bytes;
    // Untouched memory is filled with a pattern, so a kernel that reads what nobody wrote shows up.
    storage[id] = input ? adj_read_file(dir + "/in_" + std::to_string(id) + ".bin", bytes * count)
                        : std::vector<char>(bytes * count, (char) 0x7f);
    pointers[id] = storage[id].empty() ? nullptr : storage[id].data();
  }
  long long launches = next();
  for (long long l = 0; l < launches; ++l) {
    int kernel = (int) next();
    unsigned int blocks = (unsigned int) next(), threads = (unsigned int) next();
    long long zeroed = next();
    for (long long z = 0; z < zeroed; ++z) {
      long long id = next();
      std::fill(storage[id].begin(), storage[id].end(), 0);
    }
    long long count = next();
    std::vector<long long> args(count);
    for (long long a = 0; a < count; ++a) args[a] = next();
    adj_dispatch(kernel, pointers.data(), args.data(), dim3(blocks), dim3(threads));
  }
  long long outputs = next();
  for (long long o = 0; o < outputs; ++o) {
    long long id = next();
    std::string path = dir + "/out_" + std::to_string(id) + ".bin";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) emu::fail(("cannot write " + path).c_str());
    std::fwrite(storage[id].data(), 1, storage[id].size(), f);
    std::fclose(f);
  }
  std::fclose(plan);
  return 0;
}
