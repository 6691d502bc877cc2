# pipe's image: a static pipe (and the faulty companion app) on an empty base,
# running as a fixed non-root user, with the example pipelines in /etc/pipe.
#   docker build -t pipe .
#   docker run --rm -p 5000:5000/tcp -p 5000:5000/udp -e ES_URL=http://es:9200 pipe
# The build steps live in docker/rootfs.sh, which CI also runs outside Docker.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN docker/rootfs.sh /rootfs

FROM scratch
COPY --from=build /rootfs/ /
USER 10001:10001
WORKDIR /var/lib/pipe
# The example's listeners bind to $PIPE_HOST: all interfaces inside a container.
ENV PIPE_HOST=0.0.0.0
EXPOSE 5000/tcp 5000/udp
ENTRYPOINT ["/usr/local/bin/pipe"]
CMD ["-f", "/etc/pipe/faulty.hcl"]
