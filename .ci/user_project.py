#!/usr/bin/env python3
"""Writes a new user's project from the docs alone, for e2e-user-project.sh.

The Maven dependencies are the XML blocks of README.md (the starter) and docs/testing.md (the
test artifact and Spring Boot's test starter), inside the pom start.spring.io gives a Spring
Boot 4.1 project. Every Java block of docs/testing.md is a file: the one holding
@SpringBootApplication goes to src/main/java, the others to src/test/java, each at the path its
package and first top-level class name say.

usage: user_project.py <gserver repository> <project directory>
"""
import pathlib
import re
import sys

BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def blocks(path, language):
    return [body for lang, body in BLOCK.findall(path.read_text()) if lang == language]


def dependencies(xml_blocks):
    found = []
    for block in xml_blocks:
        found += re.findall(r"<dependency>.*?</dependency>", block, re.S)
    return found


def version(repository):
    pom = (repository / "pom.xml").read_text()
    return re.search(r"<artifactId>gserver-parent</artifactId>\s*<version>([^<]+)</version>", pom).group(1), \
        re.search(r"<spring-boot.version>([^<]+)</spring-boot.version>", pom).group(1)


def main():
    repository, project = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    gserver_version, boot_version = version(repository)
    deps = dependencies(blocks(repository / "README.md", "xml")) + dependencies(blocks(repository / "docs" / "testing.md", "xml"))
    assert any("gserver-spring-boot-starter" in d for d in deps), "README.md shows no starter dependency"
    assert any("gserver-spring-boot-test" in d for d in deps), "docs/testing.md shows no test dependency"
    assert all(gserver_version in d for d in deps if "dev.gserver" in d), "the docs show another version than " + gserver_version
    project.mkdir(parents=True, exist_ok=True)
    (project / "pom.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>{boot_version}</version>
    <relativePath/>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>user-project</artifactId>
  <version>0.0.1-SNAPSHOT</version>
  <properties>
    <java.version>17</java.version>
  </properties>
  <dependencies>
    {chr(10).join(deps)}
  </dependencies>
</project>
""")
    written = []
    for source in blocks(repository / "docs" / "testing.md", "java"):
        package = re.search(r"^package ([\w.]+);", source, re.M).group(1)
        name = re.search(r"^(?:public |final |abstract )*(?:class|interface|record) (\w+)", source, re.M).group(1)
        tree = "main" if "@SpringBootApplication" in source else "test"
        path = project / "src" / tree / "java" / package.replace(".", "/") / (name + ".java")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        written.append(str(path.relative_to(project)))
    assert any("/main/" in w for w in written), "docs/testing.md shows no application"
    print("\n".join(written))


if __name__ == "__main__":
    main()
