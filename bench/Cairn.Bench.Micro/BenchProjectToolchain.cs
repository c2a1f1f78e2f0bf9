using System.Runtime.Versioning;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains;
using BenchmarkDotNet.Toolchains.CsProj;
using BenchmarkDotNet.Toolchains.DotNetCli;

namespace Cairn.Bench.Micro;

/// <summary>
/// BenchmarkDotNet's usual out-of-process toolchain (a generated project per run, one child process
/// per benchmark), told where this project's file is.
/// </summary>
/// <remarks>
/// The stock toolchain searches for <c>&lt;assembly name&gt;.csproj</c> below the current directory
/// (or the nearest <c>.sln</c>, not <c>.slnx</c>). Neither works here: the assembly is
/// <c>cairn-bench-micro</c> while the file is <c>Cairn.Bench.Micro.csproj</c>, and the dll may be
/// started from any directory. The project file is found by walking up from the running assembly.
/// </remarks>
internal static class BenchProjectToolchain
{
    private const string ProjectFileName = "Cairn.Bench.Micro.csproj";

    /// <remarks>
    /// The nulls mean "the dotnet on PATH, the usual package folder, the runtime of the target
    /// framework", as in BenchmarkDotNet's own toolchains; its signatures just do not say they are nullable.
    /// </remarks>
    public static IToolchain Create()
    {
        var targetFramework = TargetFrameworkMoniker();
        return new Toolchain(
            $"{targetFramework} ({ProjectFileName})",
            new ProjectGenerator(targetFramework),
            new DotNetCliBuilder(targetFramework, customDotNetCliPath: null, logOutput: false),
            new DotNetCliExecutor(customDotNetCliPath: null!));
    }

    /// <summary>The framework this assembly was built for, e.g. <c>net10.0</c>: the generated project must match it.</summary>
    private static string TargetFrameworkMoniker()
    {
        var attribute = typeof(BenchProjectToolchain).Assembly.GetCustomAttributes(typeof(TargetFrameworkAttribute), inherit: false)
            .OfType<TargetFrameworkAttribute>().Single();
        var version = new FrameworkName(attribute.FrameworkName).Version;
        return $"net{version.Major}.{version.Minor}";
    }

    private static FileInfo FindProjectFile()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = new FileInfo(Path.Combine(directory.FullName, ProjectFileName));
            if (candidate.Exists)
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"{ProjectFileName} was not found above {AppContext.BaseDirectory}; run the benchmarks from the build output inside the repository.");
    }

    private sealed class ProjectGenerator(string targetFramework)
        : CsProjGenerator(targetFramework, cliPath: null!, packagesPath: null!, runtimeFrameworkVersion: null!, isNetCore: true)
    {
        protected override FileInfo GetProjectFilePath(Type benchmarkTarget, ILogger logger) => FindProjectFile();
    }
}
